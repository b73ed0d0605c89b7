// Go-style listen addresses (`:8080`, `127.0.0.1:9443`, `[::1]:0`; `0` disables), as controller-runtime flags take them.
import { ServiceError } from './errors.js';

export interface ListenAddress {
  /** Undefined: every interface. */
  host?: string;
  port: number;
}

/** Parse `value` of `flag`; undefined means the listener is disabled (`0`, as controller-runtime). */
export function parseListenAddress(value: string, flag: string): ListenAddress | undefined {
  const text = value.trim();
  if (text === '0') return undefined;
  let host: string | undefined;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2] as string;
  } else if (/^\d+$/.test(text)) {
    portText = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1 || text.indexOf(':') !== colon) {
      throw new ServiceError('INVALID_OPTION', `${flag} ${JSON.stringify(value)} is not host:port (e.g. :8080, 127.0.0.1:8080, [::1]:8080, or 0 to disable)`);
    }
    host = text.slice(0, colon) || undefined;
    portText = text.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ServiceError('INVALID_OPTION', `${flag} ${JSON.stringify(value)} has an invalid port (0-65535)`);
  }
  return host === undefined ? { port } : { host, port };
}

/** `host:port` for a URL: loopback when listening on every interface, brackets around IPv6. */
export function urlHost(address: { host?: string; port: number }): string {
  const host = address.host === undefined || address.host === '0.0.0.0' || address.host === '::' ? '127.0.0.1' : address.host;
  return host.includes(':') ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}
