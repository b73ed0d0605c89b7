// A double of a Docker registry token server (distribution token auth spec): issues ES256 JWTs
// signed by a self-signed certificate that docker-registry trusts through `rootcertbundle`.
import { randomUUID, webcrypto } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as x509 from '@peculiar/x509';
import { SignJWT } from 'jose';
import { listenHttpDouble, readRequestBody } from './http-double.js';

export interface TokenServerDoubleOptions {
  /** username → password accepted with Basic auth. */
  users: Record<string, string>;
  /** refresh token (identity token) → username, for the OAuth2 refresh-token grant (POST). */
  refreshTokens?: Record<string, string>;
  /** Grant `pull` to anonymous requests. */
  anonymousPull?: boolean;
  /** Token lifetime in seconds (`expires_in`), default 300. */
  expiresIn?: number;
  service?: string;
  issuer?: string;
}

export interface TokenRequestRecord {
  method: string;
  /** `basic`, `refresh_token` or `anonymous`. */
  kind: string;
  username?: string;
  scopes: string[];
}

export interface TokenServerDouble {
  /** The realm URL for the registry config and WWW-Authenticate. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the signing certificate, for docker-registry's `rootcertbundle`. */
  rootCertBundle: string;
  /** Every token request, in order (no secrets recorded). */
  requests: TokenRequestRecord[];
  /** The `auth:` YAML of startRegistry() for this token server. */
  authYaml: string;
  /** Lifetime (`expires_in`, seconds) of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  stop(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function parseScope(scope: string): Access | undefined {
  const parts = scope.split(':');
  if (parts.length < 3) return undefined;
  const actions = (parts.pop() as string).split(',').filter(Boolean);
  const type = parts.shift() as string;
  return { type, name: parts.join(':'), actions };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Start the token server; `certDir` receives the root certificate bundle. */
export async function startTokenServerDouble(certDir: string, options: TokenServerDoubleOptions): Promise<TokenServerDouble> {
  const service = options.service ?? 'imgverify-test-registry';
  const issuer = options.issuer ?? 'imgverify-test-token-issuer';
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=imgverify test token issuer',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true)],
  });
  const rootCertBundle = `${certDir}/token-root.pem`;
  await writeFile(rootCertBundle, certificate.toString('pem') + '\n');
  const x5c = [Buffer.from(certificate.rawData).toString('base64')];
  const requests: TokenRequestRecord[] = [];
  let lifetime = options.expiresIn ?? 300;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://double');
    if (url.pathname !== '/token') return json(res, 404, { error: 'not found' });
    let username: string | undefined;
    let kind = 'anonymous';
    let scopes = url.searchParams.getAll('scope');
    let requestedService = url.searchParams.get('service');
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readRequestBody(req)).toString('utf8'));
      if (form.get('grant_type') !== 'refresh_token') return json(res, 400, { error: 'unsupported_grant_type' });
      username = options.refreshTokens?.[form.get('refresh_token') ?? ''];
      if (!username) return json(res, 401, { error: 'invalid_grant' });
      kind = 'refresh_token';
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      requestedService = form.get('service');
    } else {
      const authorization = req.headers.authorization;
      if (authorization?.startsWith('Basic ')) {
        const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const user = decoded.slice(0, colon);
        if (options.users[user] === undefined || options.users[user] !== decoded.slice(colon + 1)) {
          requests.push({ method: req.method ?? 'GET', kind: 'basic', scopes });
          return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
        }
        username = user;
        kind = 'basic';
      }
    }
    requests.push({ method: req.method ?? 'GET', kind, ...(username ? { username } : {}), scopes });
    if (requestedService !== service) return json(res, 400, { error: `unknown service ${requestedService}` });
    const access: Access[] = [];
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed || parsed.type !== 'repository') continue;
      const allowed = username ? parsed.actions : options.anonymousPull ? parsed.actions.filter((a) => a === 'pull') : [];
      if (allowed.length) access.push({ ...parsed, actions: allowed });
    }
    const expiresIn = lifetime;
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c })
      .setIssuer(issuer)
      .setSubject(username ?? '')
      .setAudience(service)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt - 10)
      .setExpirationTime(issuedAt + expiresIn)
      .setJti(randomUUID())
      .sign(keys.privateKey);
    json(res, 200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date(issuedAt * 1000).toISOString() });
  };

  const server = await listenHttpDouble((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }));
  });
  const realm = `${server.url}/token`;
  return {
    realm,
    service,
    issuer,
    rootCertBundle,
    requests,
    authYaml: ['  token:', `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${rootCertBundle}`].join('\n'),
    setTokenLifetime(seconds) {
      lifetime = seconds;
    },
    stop: server.stop,
  };
}
