import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import type { Identity, Recipient, Stanza } from 'age-encryption';

/**
 * age's passphrase stanza (`-> scrypt <salt> <logN>`, age-encryption.org/v1), with Node's native scrypt in
 * place of the JavaScript one the age-encryption package runs: the same bytes on disk (the package's own
 * Decrypter and the age CLI read them, and these read theirs; see test/backup/passphrase.test.ts), in
 * about half the time, and off the main thread, so a derivation can run while pg_dump does.
 */

/** age's default work factor; `age -p` writes it too. */
export const SCRYPT_LOG_N = 18;
/** The highest work factor read, as age-encryption's own ScryptIdentity: a file may not demand more. */
const MAX_LOG_N = 20;
const LABEL = 'age-encryption.org/v1/scrypt';
const ZERO_NONCE = Buffer.alloc(12);

/**
 * scrypt(passphrase, label‖salt) per (passphrase, salt, logN), kept for the process: scrypt is a pure
 * function, so a key derived once opens the same stanza again (the proof after the encryption, then the
 * decryption of the same backup) without paying seconds again. A fresh salt is a fresh derivation.
 */
const derived = new Map<string, Promise<Buffer>>();

function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const memo = `${logN}\0${salt.toString('hex')}\0${passphrase}`;
  let key = derived.get(memo);
  if (!key) {
    const N = 2 ** logN;
    key = new Promise<Buffer>((resolve, reject) =>
      scrypt(
        passphrase,
        Buffer.concat([Buffer.from(LABEL), salt]),
        32,
        // Node's default maxmem (32 MiB) is below what N = 2^18, r = 8 needs (128·N·r bytes = 256 MiB).
        { N, r: 8, p: 1, maxmem: 129 * N * 8 + 1024 * 1024 },
        (err, out) => (err ? reject(err) : resolve(out)),
      ),
    );
    derived.set(memo, key);
    // A failed derivation is not an answer to keep.
    key.catch(() => derived.delete(memo));
  }
  return key;
}

// age encodes stanza arguments in unpadded standard base64, and only the canonical encoding is valid.
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
function unb64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return b64(bytes) === text ? bytes : undefined;
}

function seal(fileKey: Uint8Array, key: Buffer): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  return Buffer.concat([c.update(fileKey), c.final(), c.getAuthTag()]);
}

function open(body: Uint8Array, key: Buffer): Uint8Array | null {
  const d = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  d.setAuthTag(body.subarray(16));
  try {
    return Buffer.concat([d.update(body.subarray(0, 16)), d.final()]);
  } catch {
    return null;
  }
}

/**
 * Encrypts to a passphrase. Each wrap draws a fresh salt (the file key is sealed under a zero nonce, so a
 * key derived from a salt must seal one file key only). `salt` starts the derivation now, before the file
 * is known: the caller overlaps it with other work.
 */
export class PassphraseRecipient implements Recipient {
  private readonly salt = randomBytes(16);
  private used = false;
  private readonly key: Promise<Buffer>;
  constructor(
    passphrase: string,
    private readonly logN = SCRYPT_LOG_N,
  ) {
    this.key = deriveKey(passphrase, this.salt, logN);
    this.key.catch(() => {});
  }

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    if (this.used) throw new Error('a passphrase recipient wraps one file key: its salt is not reused');
    this.used = true;
    const { Stanza } = await import('age-encryption');
    const body = seal(fileKey, await this.key);
    return [new Stanza(['scrypt', b64(this.salt), String(this.logN)], body)];
  }
}

/** Decrypts a passphrase-encrypted age file: the same checks as age's own scrypt identity. */
export class PassphraseIdentity implements Identity {
  constructor(private readonly passphrase: string) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const s of stanzas) {
      if (s.args[0] !== 'scrypt') continue;
      // The passphrase would otherwise authenticate a file others could have written too.
      if (stanzas.length !== 1) throw new Error('scrypt recipient is not the only one in the header');
      const [, saltText = '', logNText = ''] = s.args;
      if (s.args.length !== 3 || !/^[1-9][0-9]*$/.test(logNText)) throw new Error('invalid scrypt stanza');
      const salt = unb64(saltText);
      if (salt?.length !== 16 || s.body.length !== 32) throw new Error('invalid scrypt stanza');
      const logN = Number(logNText);
      if (logN > MAX_LOG_N) throw new Error('scrypt work factor is too high');
      const fileKey = open(s.body, await deriveKey(this.passphrase, salt, logN));
      if (fileKey) return fileKey;
    }
    return null;
  }
}
