// Hostile input (issue 14): property-based fuzzing of every parser that reads what an attacker writes — image
// references, trust policy documents, JWS and COSE envelopes, CBOR, X.509 DER, RFC 3161 tokens, OCSP responses,
// CRLs and certificates as revocation reads them, conditions and JMESPath — and of the /checkimages body through
// the running service. Each input either parses or fails with an error whose code is in CODE_INFO (or, for
// revocation, the CRL/extension error the checker reports as REVOCATION_UNKNOWN): no other exception, no hang, no
// unhandled rejection. Seeded and reproducible: FUZZ_SEED (default 14) and FUZZ_RUNS (default 150 per target in
// CI; e.g. FUZZ_RUNS=20000 for a long run); the mutated inputs start from upstream fixtures (notation-go,
// notation-core-go, notation-e2e's CRLs, tspclient-go), fixed bytes, or from chains generated here.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import fc from 'fast-check';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { evaluateConditions, parseConditions, searchJmesPath } from '../../src/conditions/index.js';
import { parseEnvelope, parseTrustPolicyJson } from '../../src/notary/index.js';
import { parseCertificate, parseCertificateBundle, verifyTimestampToken } from '../../src/pki/index.js';
import { decodeCbor, encodeCbor } from '../../src/notary/envelope/cbor.js';
import { describeCertificate, type CertificateInfo } from '../../src/pki/revocation/certificate.js';
import { CrlError, evaluateCrl, parseCrl, validateCrl, type ParsedCrl } from '../../src/pki/revocation/crl.js';
import { crlUrls, ExtensionError, ocspUrls } from '../../src/pki/revocation/extensions.js';
import { buildOcspRequest, evaluateOcspResponse } from '../../src/pki/revocation/ocsp.js';
import { parseReference } from '../../src/reference/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { isErrorCode } from '../../src/verification/index.js';
import { buildChain, type TestChain } from '../pki/revocation/pki.js';
import { createTrustConfigDir, type TrustConfigDir } from '../service/harness.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';
import { buildOcspResponse } from '../support/ocsp-double.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { issueToken } from '../support/tsa-double.js';

const SEED = Number(process.env.FUZZ_SEED ?? 14);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/** Any one input must be handled within this (a parser stuck on one input is a hang). */
const PER_INPUT_MS = 2000;
const settings = { seed: SEED, numRuns: RUNS, endOnFailure: true };

const fuzzed: Record<string, number> = {};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** `run` either returns or throws an error with a documented code; time-bounded. */
async function documented(target: string, run: () => unknown): Promise<void> {
  fuzzed[target] = (fuzzed[target] ?? 0) + 1;
  const started = performance.now();
  try {
    await run();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (!isErrorCode(code)) throw new Error(`${target}: undocumented failure ${String(code)}: ${err instanceof Error ? err.stack : String(err)}`);
  }
  expect(performance.now() - started).toBeLessThan(PER_INPUT_MS);
}

/** `seed` with a few bytes replaced, cut or repeated: inputs that get past the first checks. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.array(fc.tuple(fc.nat({ max: seed.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat({ max: seed.length }), fc.boolean())
    .map(([flips, cut, truncate]) => {
      const out = Uint8Array.from(seed);
      for (const [at, value] of flips) out[at] = value;
      return truncate ? out.subarray(0, cut) : out;
    });
}

const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '\u0000', '\u202e', 'images', 'containers', 'trustPolicy');
/** JSON values with the keys attackers like, unicode, huge numbers and nesting. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0, -0),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKeys, fc.string()), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON text of `value`, sometimes with a duplicate key, a huge number literal or 10,000 levels of nesting spliced in. */
const hostileJsonText = fc.tuple(hostileJson, fc.constantFrom('', 'duplicate', 'bignum', 'deep', 'proto')).map(([value, twist]) => {
  const text = JSON.stringify(value) ?? 'null';
  switch (twist) {
    case 'duplicate':
      return `{"images":{"containers":{}},"images":${text}}`;
    case 'bignum':
      return `{"images":{"containers":{"a":{"registry":1${'0'.repeat(400)}}}},"x":${text}}`;
    case 'deep':
      return `{"images":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    case 'proto':
      return `{"__proto__":{"trustPolicy":"tp-fuzz","insecure":true},"images":${text}}`;
    default:
      return text;
  }
});

let chain: GeneratedChain;
/** Upstream fixtures the mutations start from. */
let jws: Uint8Array;
let cose: Uint8Array;
let token: Uint8Array;
let tokenRoot: Uint8Array;
let certificate: Uint8Array;
/** A token of our own TSA double, whose leaf key the regression case below breaks. */
let ownToken: Uint8Array;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  chain = await generateCertificateChain({ keyType: 'ec-256', intermediate: true, commonName: 'imgverify fuzz signer', leaf: { keys: await cachedKeyPair('ec-256', 'service-leaf') } });
  const fixture = async (...path: string[]) => new Uint8Array(await readFile(join(NOTARY_FIXTURES, ...path)));
  jws = await fixture('notation-go', 'internal-testdata', 'jws_signature.sig');
  cose = await fixture('notation-go', 'internal-testdata', 'cose_signature.sig');
  token = await fixture('tspclient-go', 'testdata', 'TimeStampToken.p7s');
  tokenRoot = await fixture('tspclient-go', 'testdata', 'GlobalSignRootCA.crt');
  certificate = await fixture('notation-core-go', 'x509-testdata', 'der.der');
  ownToken = issueToken(chain.leaf, [chain.leaf, chain.root], { imprint: new Uint8Array(32), hashOid: '2.16.840.1.101.3.4.2.1' });
}, 60_000);

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  console.log(JSON.stringify({ suite: 'fuzz', seed: SEED, runsPerProperty: RUNS, inputsByTarget: fuzzed }));
});

describe(`parsers of attacker-written input: parsed, or a documented code (seed ${SEED}, ${RUNS} runs per property)`, () => {
  test('image references', async () => {
    const reference = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.tuple(fc.constantFrom('', 'ghcr.io/', 'LOCALHOST:5000/', '[::1]:5000/', 'a'.repeat(300) + '/'), fc.stringMatching(/^[a-z0-9._/-]{0,80}$/), fc.constantFrom('', ':v1', '@sha256:' + 'f'.repeat(64), '@sha256:zz', ':' + 'x'.repeat(200))).map((parts) => parts.join('')),
    );
    await fc.assert(fc.asyncProperty(reference, (text) => documented('reference', () => parseReference(text))), settings);
  });

  test('trust policy documents', async () => {
    const policy = fc.oneof(
      hostileJsonText,
      fc.record({ version: fc.constantFrom('1.0', '1.1', '2.0', 1), trustPolicies: fc.array(hostileJson, { maxLength: 3 }) }).map((doc) => JSON.stringify(doc)),
    );
    await fc.assert(fc.asyncProperty(policy, (text) => documented('trust policy', () => parseTrustPolicyJson(text, 'fuzz'))), settings);
  });

  test('JWS envelopes: random JSON, and a real envelope mutated', async () => {
    const bytes = fc.oneof(hostileJsonText.map((text) => new TextEncoder().encode(text)), mutated(jws));
    await fc.assert(fc.asyncProperty(bytes, (input) => documented('JWS', () => parseEnvelope('application/jose+json', input))), settings);
  });

  test('COSE envelopes and CBOR: random CBOR, and a real envelope mutated', async () => {
    const bytes = fc.oneof(hostileJson.map((value) => encodeCbor(value)), fc.uint8Array({ maxLength: 512 }), mutated(cose));
    await fc.assert(
      fc.asyncProperty(bytes, async (input) => {
        await documented('CBOR', () => decodeCbor(input));
        await documented('COSE', () => parseEnvelope('application/cose', input));
      }),
      settings,
    );
  });

  test('X.509 DER: random bytes, and a real certificate mutated', async () => {
    const der = fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated(certificate), mutated(tokenRoot));
    await fc.assert(fc.asyncProperty(der, (input) => documented('X.509', () => parseCertificate(input, { source: 'fuzz' }))), settings);
  });

  test('RFC 3161 tokens: random bytes, and a real token mutated', async () => {
    const tokens = fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated(token));
    const roots = parseCertificateBundle(tokenRoot);
    await fc.assert(fc.asyncProperty(tokens, (input) => documented('RFC 3161', () => verifyTimestampToken(input, new Uint8Array(64), roots))), settings);
  });

  test('found by FUZZ_SEED=7 FUZZ_RUNS=3000: a token certificate whose EC point is not on the curve is INVALID_TIMESTAMP, not an OpenSSL error', async () => {
    // The leaf's SubjectPublicKeyInfo ends in BIT STRING (3, 66, 0) holding 0x04 || X || Y; 0x05 is no point encoding.
    const broken = Uint8Array.from(ownToken);
    const point = Buffer.from(broken).indexOf(Buffer.concat([Buffer.from([3, 66, 0, 4]), Buffer.from(chain.leaf.der).subarray(Buffer.from(chain.leaf.der).indexOf(Buffer.from([3, 66, 0, 4])) + 4, Buffer.from(chain.leaf.der).indexOf(Buffer.from([3, 66, 0, 4])) + 12)]));
    expect(point).toBeGreaterThan(0);
    broken[point + 3] = 5;
    await expect(verifyTimestampToken(broken, new Uint8Array(64), [chain.root.certificate])).rejects.toMatchObject({ code: 'INVALID_TIMESTAMP' });
  });

  test('found by FUZZ_SEED=7 FUZZ_RUNS=3000: a GeneralizedTime that is no time (asn1js throws while decoding) is INVALID_TIMESTAMP', async () => {
    const garbageTime = Uint8Array.from([0x30, 5, 0x18, 3, 0x61, 0x62, 0x63]);
    await expect(verifyTimestampToken(garbageTime, new Uint8Array(64), [])).rejects.toMatchObject({ code: 'INVALID_TIMESTAMP' });
  });

  test('conditions and JMESPath expressions', async () => {
    const expression = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(fc.constantFrom('a', '.', '[', ']', '*', '|', '@', '`1`', "'x'", '(', ')', '&&', '||', '!', 'to_number(', 'length(', 'b', ',', '{', '}', ':', '[?', '==', '`[]`', '..'), { maxLength: 30 }).map((parts) => parts.join('')),
    );
    const conditions = fc.oneof(hostileJson, fc.record({ all: fc.array(fc.record({ key: expression.map((e) => `{{ ${e} }}`), operator: fc.constantFrom('Equals', 'In', 'AnyIn', 'GreaterThan', 'Nope'), value: hostileJson }), { maxLength: 3 }) }));
    await fc.assert(
      fc.asyncProperty(expression, conditions, hostileJson, async (expr, block, data) => {
        await documented('JMESPath', () => searchJmesPath(expr, data));
        await documented('conditions', () => evaluateConditions(parseConditions(block), { data }));
      }),
      settings,
    );
  });
});

describe('revocation: OCSP responses and CRLs (bytes from attacker-reachable endpoints)', () => {
  let revocationChain: TestChain;
  let leafInfo: CertificateInfo;
  let issuerInfo: CertificateInfo;
  let ocspSeed: Uint8Array;
  const crlSeeds = ['leaf_revoked.crl', 'intermediate.crl'].map((name) => new Uint8Array(readFileSync(join(NOTARY_FIXTURES, 'notation-e2e/crl', name))));
  const crlIssuer = () => {
    const pems = readFileSync(join(NOTARY_FIXTURES, 'notation-e2e/crl/certchain_with_crl.pem'), 'latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return describeCertificate(new PeculiarCertificate(pems[1] as string));
  };

  beforeAll(async () => {
    revocationChain = await buildChain();
    leafInfo = describeCertificate(revocationChain.leaf.certificate);
    issuerInfo = describeCertificate(revocationChain.intermediate.certificate);
    const request = pkijs.OCSPRequest.fromBER(buildOcspRequest(leafInfo, issuerInfo));
    const revoked = { status: 'revoked' as const, revocationTime: new Date(Date.now() - 60_000), reason: 1, invalidityDate: new Date(Date.now() - 120_000) };
    ocspSeed = buildOcspResponse(request, { certificate: revocationChain.intermediate.der, privateKey: revocationChain.intermediate.privateKey }, () => revoked, 'normal');
  }, 30_000);

  test('the seeds decide: the OCSP response says revoked, the CRL parses', () => {
    expect(evaluateOcspResponse(ocspSeed, { cert: leafInfo, issuer: issuerInfo, now: new Date() }).status).toBe('revoked');
    for (const seed of crlSeeds) expect(parseCrl(seed).der).toBe(seed);
  });

  test('found by FUZZ_SEED=14: a CRL with a GeneralizedTime that is no time (asn1js throws while decoding) is a CrlError', () => {
    const garbageTime = Uint8Array.from([0x30, 5, 0x18, 3, 0x61, 0x62, 0x63]);
    expect(() => parseCrl(garbageTime)).toThrow(new CrlError('the CRL is not valid DER: Wrong input string for conversion'));
  });

  test('an OCSP response: an evaluation (unknown with a reason when unusable), never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(ocspSeed), fc.uint8Array({ maxLength: 200 })), async (der) => {
        await documented('OCSP response', () => {
          const evaluation = evaluateOcspResponse(der, { cert: leafInfo, issuer: issuerInfo, now: new Date() });
          expect(['good', 'revoked', 'unknown']).toContain(evaluation.status);
        });
      }),
      settings,
    );
  });

  test('a certificate read for revocation checks (serial, names, key, CRL and OCSP URLs): its facts or INVALID_CERTIFICATE', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(revocationChain.leaf.der), async (der) => {
        let certificate: PeculiarCertificate;
        try {
          certificate = new PeculiarCertificate(der);
        } catch {
          return; // Bytes @peculiar/x509 rejects never reach revocation (X.509 DER is fuzzed above).
        }
        await documented('certificate for revocation', () => {
          const info = describeCertificate(certificate);
          let extensions: PeculiarCertificate['extensions'];
          try {
            extensions = info.certificate.extensions;
          } catch {
            return; // @peculiar/x509 decodes extensions lazily; RevocationChecker reads them inside its REVOCATION_UNKNOWN catch.
          }
          try {
            ocspUrls(extensions);
            crlUrls(extensions);
          } catch (err) {
            if (!(err instanceof ExtensionError)) throw err;
          }
        });
      }),
      settings,
    );
  });

  test('a CRL: parsed, validated and evaluated, or a CrlError (REVOCATION_UNKNOWN with its message); never another throw', async () => {
    const issuer = crlIssuer();
    await fc.assert(
      fc.asyncProperty(fc.oneof(...crlSeeds.map(mutated), fc.uint8Array({ maxLength: 200 })), async (der) => {
        await documented('CRL', () => {
          // Validation and evaluation each run on whatever parses, so a failure of one does not hide the other.
          let parsed: ParsedCrl;
          try {
            parsed = parseCrl(der);
          } catch (err) {
            if (err instanceof CrlError) return;
            throw err;
          }
          for (const step of [() => validateCrl(parsed, issuer, new Date(), 'base'), () => evaluateCrl(parsed, undefined, { cert: leafInfo, now: new Date() })]) {
            try {
              step();
            } catch (err) {
              if (!(err instanceof CrlError)) throw err;
            }
          }
        });
      }),
      settings,
    );
  });
});

describe('the /checkimages body, through the running service', () => {
  let config: TrustConfigDir;
  let service: RunningService;
  /** A registry that knows no image: any image the fuzzer manages to get verified fails fast, on loopback. */
  let empty: HttpDoubleServer;
  const statuses: Record<number, number> = {};

  beforeAll(async () => {
    empty = await listenHttpDouble((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
    });
    config = await createTrustConfigDir('tp-fuzz', chain.root.pem);
    service = await startService({
      config: { dir: config.dir, defaultTrustPolicy: 'tp-fuzz' },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
      limits: { requestTimeoutMs: 2000, maxRequestBytes: 64 * 1024 },
      cache: { enabled: false },
      logLevel: 'silent',
      processMetrics: false,
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await empty?.stop();
    await config?.remove();
    console.log(JSON.stringify({ suite: 'fuzz /checkimages', statuses }));
  });

  test('any body: 406 (or 413, 200 for nothing to verify) with one line of text; never a 500, never a pinned image', async () => {
    const host = `127.0.0.1:${empty.port}`;
    // Images are pointed at the empty registry whatever the fuzzer wrote, so nothing leaves the machine.
    const image = fc.record({ registry: fc.constantFrom(host, '', 'not a host'), path: fc.string({ maxLength: 40 }), name: fc.string({ maxLength: 10 }), tag: fc.string({ maxLength: 10 }), digest: fc.string({ maxLength: 80 }), jsonPointer: fc.string({ maxLength: 40 }) }, { requiredKeys: [] });
    const structured = fc
      .record(
        { images: fc.record({ containers: fc.dictionary(fc.oneof(hostileKeys, fc.string({ maxLength: 20 })), fc.oneof(image, hostileJson), { maxKeys: 3 }), initContainers: hostileJson }, { requiredKeys: [] }), imageReferences: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), trustPolicy: fc.oneof(fc.constant('tp-fuzz'), fc.string({ maxLength: 20 })), metadata: hostileJson, insecure: hostileJson, attestations: hostileJson },
        { requiredKeys: [] },
      )
      .map((body) => JSON.stringify(body));
    const bodies = fc.oneof(structured, hostileJsonText, fc.string({ unit: 'binary', maxLength: 200 }));
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        fuzzed['/checkimages'] = (fuzzed['/checkimages'] ?? 0) + 1;
        const res = await fetch(`${service.url}/checkimages`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        const text = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        expect([200, 406, 413]).toContain(res.status);
        if (res.status === 200) expect((JSON.parse(text) as { results: unknown[] }).results).toEqual([]);
        else expect(text).toMatch(/^[^\n]+\n$/);
      }),
      { ...settings, numRuns: Math.max(1, Math.floor(RUNS / 2)) },
    );
    expect(unhandled).toEqual([]);
  }, Math.max(120_000, RUNS * 300));
});
