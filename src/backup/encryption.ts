import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadable } from 'node:stream/web';

/** How a backup is encrypted: to age recipients (public keys), with a passphrase, or not at all (said out loud). */
export type Encryption =
  | { kind: 'recipients'; recipients: string[] }
  | { kind: 'passphrase'; passphrase: string }
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

async function encryptStream(
  file: string,
  target: string,
  setup: (e: import('age-encryption').Encrypter) => void,
) {
  const { Encrypter } = await import('age-encryption');
  const e = new Encrypter();
  setup(e);
  const source = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  const encrypted = await e.encrypt(source);
  await mkdir(dirname(target), { recursive: true });
  await pipeline(Readable.fromWeb(encrypted as WebReadable<Uint8Array>), createWriteStream(target));
}

/**
 * Encrypts every file of `from` into `to` as `<name>.age` (the age format), streaming, so a backup larger
 * than memory is fine. A passphrase costs one scrypt: it encrypts a one-off key (backup-key.age) that the
 * files are encrypted to; `age -d backup-key.age > key.txt; age -d -i key.txt <file>.age` reads them.
 */
export async function encryptDir(
  from: string,
  to: string,
  enc: Exclude<Encryption, { kind: 'none' }>,
): Promise<void> {
  const age = await import('age-encryption');
  let recipients: string[];
  if (enc.kind === 'passphrase') {
    const identity = await age.generateX25519Identity();
    recipients = [await age.identityToRecipient(identity)];
    const e = new age.Encrypter();
    e.setPassphrase(enc.passphrase);
    await mkdir(to, { recursive: true });
    await writeFile(join(to, KEY_FILE), await e.encrypt(identity));
  } else {
    recipients = enc.recipients;
  }
  for (const rel of await files(from)) {
    await encryptStream(join(from, rel), join(to, `${rel}.age`), (e) => {
      for (const r of recipients) e.addRecipient(r);
    });
  }
}

/** Decrypts the `.age` files of `from` into `to`; `only` (plain names, e.g. toc.dat) limits which. */
export async function decryptDir(
  from: string,
  to: string,
  dec: Exclude<Decryption, { kind: 'none' }>,
  only?: readonly string[],
): Promise<void> {
  const age = await import('age-encryption');
  let identities: string[];
  if (dec.kind === 'passphrase') {
    const d = new age.Decrypter();
    d.addPassphrase(dec.passphrase);
    identities = [await d.decrypt(await readFile(join(from, KEY_FILE)), 'text')];
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
}
