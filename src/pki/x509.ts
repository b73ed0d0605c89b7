// @peculiar/x509 as imgverify reaches it: the reflect-metadata polyfill its dependency injection needs is loaded first, here and nowhere else.
import 'reflect-metadata';

export * from '@peculiar/x509';
