import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadable } from 'node:stream/web';
import { PassphraseIdentity, PassphraseRecipient } from './passphrase.js';

/**
 * A backup's one-off key as a passphrase sealed it (backup-key.age, byte for byte) and the identity inside.
 * Another backup may carry the same file and be encrypted to the same identity: it then opens with the same
 * passphrase and the same commands, and costs no new scrypt.
 */
export interface SealedKey {
  file: Uint8Array;
  identity: string;
}

/** How a backup is encrypted: to age recipients (public keys), with a passphrase, or not at all (said out loud). */
export type Encryption =
  | { kind: 'recipients'; recipients: string[] }
  | {
      kind: 'passphrase';
      passphrase: string;
      /** A key file this passphrase was just seen to open (the pre-deploy backup's, for a safety backup). */
      sealedKey?: SealedKey;
    }
  | { kind: 'none' };
export type Decryption =
  | { kind: 'identities'; identities: string[] }
  | { kind: 'passphrase'; passphrase: string }
  | { kind: 'none' };

async function files(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p, base)));
    else out.push(p.slice(base.length + 1));
  }
  return out.sort();
}

/** In passphrase mode the files are encrypted to a one-off X25519 key, and only that key to the passphrase. */
export const KEY_FILE = 'backup-key.age';

async function encryptStream(file: string, target: string, recipients: readonly string[]) {
  const { Encrypter } = await import('age-encryption');
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  const source = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  const encrypted = await e.encrypt(source);
  await mkdir(dirname(target), { recursive: true });
  await pipeline(Readable.fromWeb(encrypted as WebReadable<Uint8Array>), createWriteStream(target));
}

/** The keys a backup is encrypted to, made ahead of the files (see prepareEncryption). */
export interface PreparedEncryption {
  recipients: string[];
  /** Passphrase mode: backup-key.age, perhaps still being sealed. */
  sealedKey?: Promise<SealedKey>;
}

/**
 * Makes the keys before the dump exists. In passphrase mode the one-off key is there at once, and its
 * sealing to the passphrase (scrypt: a second or more, in Node's thread pool) goes on while pg_dump runs
 * and the files are encrypted to that key. A sealed key given is used as it is.
 */
export async function prepareEncryption(
  enc: Exclude<Encryption, { kind: 'none' }>,
): Promise<PreparedEncryption> {
  const age = await import('age-encryption');
  if (enc.kind === 'recipients') return { recipients: enc.recipients };
  if (enc.sealedKey) {
    return {
      recipients: [await age.identityToRecipient(enc.sealedKey.identity)],
      sealedKey: Promise.resolve(enc.sealedKey),
    };
  }
  const identity = await age.generateX25519Identity();
  const e = new age.Encrypter();
  e.addRecipient(new PassphraseRecipient(enc.passphrase));
  const sealedKey = e.encrypt(identity).then((file) => ({ file, identity }));
  // Awaited by encryptDir; a failure is reported there.
  sealedKey.catch(() => {});
  return { recipients: [await age.identityToRecipient(identity)], sealedKey };
}

/**
 * Encrypts every file of `from` into `to` as `<name>.age` (the age format), streaming, so a backup larger
 * than memory is fine. A passphrase costs one scrypt: it encrypts a one-off key (backup-key.age) that the
 * files are encrypted to; `age -d backup-key.age > key.txt; age -d -i key.txt <file>.age` reads them.
 */
export async function encryptDir(
  from: string,
  to: string,
  enc: Exclude<Encryption, { kind: 'none' }> | Promise<PreparedEncryption>,
): Promise<void> {
  const { recipients, sealedKey } = await ('kind' in enc ? prepareEncryption(enc) : enc);
  await mkdir(to, { recursive: true });
  for (const rel of await files(from)) {
    await encryptStream(join(from, rel), join(to, `${rel}.age`), recipients);
  }
  if (sealedKey) await writeFile(join(to, KEY_FILE), (await sealedKey).file);
}

/**
 * Decrypts the `.age` files of `from` into `to`; `only` (plain names, e.g. toc.dat) limits which. In
 * passphrase mode, returns the key file it opened and the identity in it.
 */
export async function decryptDir(
  from: string,
  to: string,
  dec: Exclude<Decryption, { kind: 'none' }>,
  only?: readonly string[],
): Promise<{ sealedKey?: SealedKey }> {
  const age = await import('age-encryption');
  let identities: string[];
  let sealedKey: SealedKey | undefined;
  if (dec.kind === 'passphrase') {
    const d = new age.Decrypter();
    d.addIdentity(new PassphraseIdentity(dec.passphrase));
    const file = await readFile(join(from, KEY_FILE));
    const identity = await d.decrypt(file, 'text');
    sealedKey = { file, identity };
    identities = [identity];
  } else {
    identities = dec.identities;
  }
  for (const rel of await files(from)) {
    if (!rel.endsWith('.age') || rel === KEY_FILE) continue;
    if (only && !only.includes(rel.slice(0, -'.age'.length))) continue;
    const d = new age.Decrypter();
    for (const i of identities) d.addIdentity(i);
    const source = Readable.toWeb(createReadStream(join(from, rel))) as ReadableStream<Uint8Array>;
    const plain = await d.decrypt(source);
    const target = join(to, rel.slice(0, -'.age'.length));
    await mkdir(dirname(target), { recursive: true });
    await pipeline(Readable.fromWeb(plain as WebReadable<Uint8Array>), createWriteStream(target) as Writable);
  }
  return sealedKey ? { sealedKey } : {};
}
