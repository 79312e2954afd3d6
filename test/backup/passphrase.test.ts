import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, Encrypter } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { decryptDir, encryptDir, KEY_FILE } from '../../src/backup/encryption.js';
import { PassphraseIdentity, PassphraseRecipient } from '../../src/backup/passphrase.js';

const PASSPHRASE = 'correct horse battery staple';
const temp = () => mkdtempSync(join(tmpdir(), 'dg-passphrase-'));

/**
 * The age CLI (Debian/Ubuntu: apt-get install age; scripts/setup.sh installs it) reads a passphrase from
 * the terminal only: util-linux's `script` gives it one, and the passphrase is typed into it.
 */
function ageCli(args: string[], typed: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'script',
      ['-q', '-e', '-c', ['age', ...args].map(shellQuote).join(' '), '/dev/null'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let sent = 0;
    const onData = (c: Buffer) => {
      output += c.toString();
      // One answer per prompt, when it is shown: typed earlier, the terminal would echo it unread.
      const prompts = output.split(/passphrase/i).length - 1;
      while (sent < prompts && sent < typed.length) child.stdin.write(`${typed[sent++]}\n`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('age passphrase stanza with native scrypt', { timeout: 120_000 }, () => {
  it('writes what age-encryption decrypts with the passphrase, and reads what it encrypts', async () => {
    const mine = new Encrypter();
    mine.addRecipient(new PassphraseRecipient(PASSPHRASE));
    const sealed = await mine.encrypt('patient data');
    expect(new TextDecoder().decode(sealed.subarray(0, 60))).toMatch(
      /^age-encryption\.org\/v1\n-> scrypt [A-Za-z0-9+/]{22} 18\n/,
    );
    const theirs = new Decrypter();
    theirs.addPassphrase(PASSPHRASE);
    expect(await theirs.decrypt(sealed, 'text')).toBe('patient data');

    const e = new Encrypter();
    e.setPassphrase(PASSPHRASE);
    const fromLibrary = await e.encrypt('consents');
    const d = new Decrypter();
    d.addIdentity(new PassphraseIdentity(PASSPHRASE));
    expect(await d.decrypt(fromLibrary, 'text')).toBe('consents');
  });

  it('refuses a wrong passphrase, a second wrap with the same salt, and a stanza beside another', async () => {
    const e = new Encrypter();
    e.addRecipient(new PassphraseRecipient(PASSPHRASE));
    const sealed = await e.encrypt('x');
    const wrong = new Decrypter();
    wrong.addIdentity(new PassphraseIdentity('not the passphrase'));
    await expect(wrong.decrypt(sealed, 'text')).rejects.toThrow(/no identity matched/);

    const once = new PassphraseRecipient(PASSPHRASE, 10);
    await once.wrapFileKey(new Uint8Array(16));
    await expect(once.wrapFileKey(new Uint8Array(16))).rejects.toThrow(/one file key/);

    const two = [
      ...(await new PassphraseRecipient(PASSPHRASE, 10).wrapFileKey(new Uint8Array(16))),
      ...(await new PassphraseRecipient(PASSPHRASE, 10).wrapFileKey(new Uint8Array(16))),
    ];
    await expect(new PassphraseIdentity(PASSPHRASE).unwrapFileKey(two)).rejects.toThrow(/not the only one/);
  });

  it('interoperates with the age CLI both ways', async () => {
    const dir = temp();
    const e = new Encrypter();
    e.addRecipient(new PassphraseRecipient(PASSPHRASE));
    writeFileSync(join(dir, 'mine.age'), await e.encrypt('sealed here'));
    const read = await ageCli(['-d', '-o', join(dir, 'mine.txt'), join(dir, 'mine.age')], [PASSPHRASE]);
    expect(read.code, read.output).toBe(0);
    expect(readFileSync(join(dir, 'mine.txt'), 'utf8')).toBe('sealed here');

    writeFileSync(join(dir, 'cli.txt'), 'sealed by age -p');
    const wrote = await ageCli(
      ['-p', '-o', join(dir, 'cli.age'), join(dir, 'cli.txt')],
      [PASSPHRASE, PASSPHRASE],
    );
    expect(wrote.code, wrote.output).toBe(0);
    const d = new Decrypter();
    d.addIdentity(new PassphraseIdentity(PASSPHRASE));
    expect(await d.decrypt(readFileSync(join(dir, 'cli.age')), 'text')).toBe('sealed by age -p');
  });

  it("opens a passphrase backup with the README's commands, and a second backup sealed with its key the same way", async () => {
    const plain = temp();
    writeFileSync(join(plain, 'toc.dat'), 'table of contents');
    writeFileSync(join(plain, '3001.dat.gz'), 'rows');
    const first = temp();
    await encryptDir(plain, first, { kind: 'passphrase', passphrase: PASSPHRASE });
    const { sealedKey } = await decryptDir(first, temp(), { kind: 'passphrase', passphrase: PASSPHRASE });
    expect(sealedKey?.identity).toMatch(/^AGE-SECRET-KEY-1/);
    // A safety backup: the first backup's key file as it is, the files encrypted to its key.
    const second = temp();
    writeFileSync(join(plain, 'toc.dat'), 'later table of contents');
    await encryptDir(plain, second, {
      kind: 'passphrase',
      passphrase: PASSPHRASE,
      ...(sealedKey ? { sealedKey } : {}),
    });
    expect(readFileSync(join(second, KEY_FILE))).toEqual(readFileSync(join(first, KEY_FILE)));

    for (const [dir, toc] of [
      [first, 'table of contents'],
      [second, 'later table of contents'],
    ] as const) {
      // age -d backup-key.age > key.txt && age -d -i key.txt toc.dat.age
      const key = await ageCli(['-d', '-o', join(dir, 'key.txt'), join(dir, KEY_FILE)], [PASSPHRASE]);
      expect(key.code, key.output).toBe(0);
      const out = join(dir, 'toc.dat');
      const files = await ageCli(['-d', '-i', join(dir, 'key.txt'), '-o', out, join(dir, 'toc.dat.age')], []);
      expect(files.code, files.output).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(toc);
    }
  });
});
