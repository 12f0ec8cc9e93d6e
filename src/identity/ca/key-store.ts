import { createPublicKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';

/** The CA key kinds meshguard creates or accepts: ECDSA P-256 is the default (small, fast). */
export type CaKeyAlgorithm = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

export const DEFAULT_CA_KEY_ALGORITHM: CaKeyAlgorithm = 'ec-p256';

/**
 * Where a CA key lives. It signs and shows its public key; it never gives out private bytes
 * (SPIRE's keymanager shape), so a KMS/HSM store can replace the memory one.
 * `sign` hashes `data` itself (SHA-384 for P-384, SHA-256 otherwise) and returns the
 * signature as X.509 carries it (DER ECDSA, PKCS#1 v1.5 RSA).
 */
export interface CaKeyStore {
  readonly algorithm: CaKeyAlgorithm;
  readonly publicKey: KeyObject;
  sign(data: Uint8Array): Buffer | Promise<Buffer>;
}

/**
 * Marks the built-in memory store, whose `sign` is Node's own `crypto.sign` on a KeyObject.
 * The issuer re-verifies signatures from any other store (a KMS/HSM plugin may return
 * garbage) but not from this one, where a re-check doubles the cost of issuing.
 */
export const BUILTIN_KEY_STORE: unique symbol = Symbol('meshguard.builtinKeyStore');

/** `true` for stores made by `memoryKeyStore`. */
export function isBuiltinKeyStore(store: CaKeyStore): boolean {
  return (store as { [BUILTIN_KEY_STORE]?: boolean })[BUILTIN_KEY_STORE] === true;
}

/** The digest that goes with a CA key algorithm in signatures meshguard makes. */
export function hashFor(algorithm: CaKeyAlgorithm): 'sha256' | 'sha384' {
  return algorithm === 'ec-p384' ? 'sha384' : 'sha256';
}

/** The algorithm of a private or public key, or `undefined` when meshguard does not use it for a CA. */
export function algorithmOfKey(key: KeyObject): CaKeyAlgorithm | undefined {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    return d?.namedCurve === 'prime256v1' ? 'ec-p256' : d?.namedCurve === 'secp384r1' ? 'ec-p384' : undefined;
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = d?.modulusLength;
    return bits === 2048 ? 'rsa-2048' : bits === 3072 ? 'rsa-3072' : bits === 4096 ? 'rsa-4096' : undefined;
  }
  return undefined;
}

/*
 * The private key behind each memory store, for one use only: handing it (as a KeyObject,
 * cloned by `postMessage`, never as bytes) to this process's signing workers
 * (`crypto-workers.ts`), so signing can leave the event loop that serves the CA API.
 */
const privateKeys = new WeakMap<CaKeyStore, KeyObject>();

/**
 * The private key of a built-in memory store, to post to a signing worker of this process;
 * `undefined` for any other store (a KMS/HSM key never leaves its store). Never log,
 * export or serialize what this returns.
 * @example const key = keyForSigningWorker(store); if (key) worker.postMessage({ op: 'key', key });
 */
export function keyForSigningWorker(store: CaKeyStore): KeyObject | undefined {
  return privateKeys.get(store);
}

/**
 * A key store over a private `KeyObject` held in a closure: nothing outside can read it.
 * Node's `crypto.sign` on a KeyObject is the fastest signing path we measured.
 * @example const store = memoryKeyStore(privateKey); const sig = store.sign(tbs);
 */
export function memoryKeyStore(privateKey: KeyObject): CaKeyStore {
  if (privateKey.type !== 'private') throw new TypeError('memoryKeyStore needs a private key');
  const algorithm = algorithmOfKey(privateKey);
  if (!algorithm) throw new TypeError('CA key must be EC P-256/P-384 or RSA 2048/3072/4096');
  const hash = hashFor(algorithm);
  const publicKey = createPublicKey(privateKey);
  const signOptions = { key: privateKey, dsaEncoding: 'der' } as const;
  const store: CaKeyStore = Object.freeze({
    algorithm,
    publicKey,
    sign: (data: Uint8Array) => cryptoSign(hash, data, signOptions),
    [BUILTIN_KEY_STORE]: true,
  });
  privateKeys.set(store, privateKey);
  return store;
}

/** A new private key of the given algorithm, for `memoryKeyStore` or a key file. */
export function generateCaPrivateKey(algorithm: CaKeyAlgorithm = DEFAULT_CA_KEY_ALGORITHM): KeyObject {
  if (algorithm === 'ec-p256' || algorithm === 'ec-p384') {
    return generateKeyPairSync('ec', { namedCurve: algorithm === 'ec-p256' ? 'P-256' : 'P-384' }).privateKey;
  }
  const modulusLength = Number(algorithm.slice(4));
  return generateKeyPairSync('rsa', { modulusLength }).privateKey;
}
