// cosign's encrypted private keys: "ENCRYPTED SIGSTORE PRIVATE KEY" PEM around go-securesystemslib's scrypt + nacl/secretbox JSON.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { secretbox } from '@noble/ciphers/salsa.js';
import * as z from 'zod';
import { readPem, toPem } from '../pki/index.js';
import { CosignError } from './errors.js';
import { checkKeyType } from './keys.js';

/** The PEM labels cosign writes (SIGSTORE since cosign 1.x) and still reads (COSIGN). */
export const SIGSTORE_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';

/** go-securesystemslib's three accepted scrypt parameter sets (legacy, standard — what Encrypt writes —, OWASP). */
const SCRYPT_PARAMS = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
] as const;
const WRITE_PARAMS = SCRYPT_PARAMS[1];
const SALT_BYTES = 32;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;
/** Largest encrypted key file read: real ones are under 4 KiB (RSA-4096). */
export const MAX_PRIVATE_KEY_BYTES = 64 * 1024;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const encryptedSchema = z.object({
  kdf: z.object({ name: z.literal('scrypt'), params: z.object({ N: z.number().int(), r: z.number().int(), p: z.number().int() }), salt: base64 }),
  cipher: z.object({ name: z.literal('nacl/secretbox'), nonce: base64 }),
  ciphertext: base64,
});

function deriveKey(password: string, salt: Uint8Array, params: { N: number; r: number; p: number }): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is below the standard set's 64 MiB.
    scrypt(Buffer.from(password, 'utf8'), salt, KEY_BYTES, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    );
  });
}

/** The private key of a cosign key file; a wrong password is cosign's "decrypt: encrypted: decryption failed". */
export async function decryptPrivateKey(pemText: string, password: string): Promise<KeyObject> {
  const block = readPem(pemText, 1).blocks[0];
  if (!block || (block.label !== SIGSTORE_PRIVATE_KEY_PEM_TYPE && block.label !== COSIGN_PRIVATE_KEY_PEM_TYPE)) {
    throw new CosignError('INVALID_INPUT', `unsupported pem type: ${block?.label ?? '(no PEM block)'}`);
  }
  if (!block.der) throw new CosignError('INVALID_INPUT', 'the encrypted private key PEM block is malformed');
  let parsed: z.infer<typeof encryptedSchema>;
  try {
    parsed = encryptedSchema.parse(JSON.parse(Buffer.from(block.der).toString('utf8')));
  } catch (err) {
    throw new CosignError('INVALID_INPUT', 'decrypt: the encrypted private key is not scrypt + nacl/secretbox JSON', { cause: err });
  }
  const params = parsed.kdf.params;
  if (!SCRYPT_PARAMS.some((known) => known.N === params.N && known.r === params.r && known.p === params.p)) {
    throw new CosignError('INVALID_INPUT', 'decrypt: unsupported scrypt parameters');
  }
  const nonce = Buffer.from(parsed.cipher.nonce, 'base64');
  if (nonce.length !== NONCE_BYTES) throw new CosignError('INVALID_INPUT', 'decrypt: encrypted: incorrect nonce size');
  const key = await deriveKey(password, Buffer.from(parsed.kdf.salt, 'base64'), params);
  let plaintext: Uint8Array;
  try {
    plaintext = secretbox(key, nonce).open(Buffer.from(parsed.ciphertext, 'base64'));
  } catch (err) {
    throw new CosignError('INVALID_INPUT', 'decrypt: encrypted: decryption failed', { cause: err });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(plaintext), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new CosignError('INVALID_INPUT', 'parsing private key: x509: failed to parse private key (not PKCS #8)', { cause: err });
  }
  checkKeyType(createPublicKey(privateKey), 'private key');
  return privateKey;
}

/** A private key in cosign's encrypted format (standard scrypt parameters, as `cosign generate-key-pair` writes). */
export async function encryptPrivateKey(privateKey: KeyObject, password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(password, salt, WRITE_PARAMS);
  const plaintext = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = secretbox(key, nonce).seal(new Uint8Array(plaintext));
  const document = {
    kdf: { name: 'scrypt', params: { N: WRITE_PARAMS.N, r: WRITE_PARAMS.r, p: WRITE_PARAMS.p }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  };
  return toPem(SIGSTORE_PRIVATE_KEY_PEM_TYPE, new TextEncoder().encode(JSON.stringify(document)));
}

/** cosign generate-key-pair: an ECDSA P-256 key, as `cosign.key` (encrypted) and `cosign.pub` (PEM). */
export async function generateKeyPair(password: string): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKeyPem: await encryptPrivateKey(privateKey, password), publicKeyPem: toPem('PUBLIC KEY', new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))) };
}
