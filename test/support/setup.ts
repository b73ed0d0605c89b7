// Loaded by vitest before every test file: the Reflect metadata API that @peculiar/x509 needs before it loads.
import 'reflect-metadata';
