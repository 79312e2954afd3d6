/**
 * What the age keys look like, so a key given in the wrong place is named as such before it is used:
 * a public key (age1…) cannot decrypt, and a passphrase is never one.
 */
export const AGE_RECIPIENT = /^age1[0-9a-z]{20,}$/;
const AGE_IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]{20,}$/;

export const isAgeRecipient = (value: string): boolean => AGE_RECIPIENT.test(value.trim());

/**
 * The identities in an age identity file (as age-keygen writes it: comment lines, then one
 * AGE-SECRET-KEY-1… per key); undefined when it holds none.
 */
export function ageIdentities(text: string): string[] | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0 || !lines.every((l) => AGE_IDENTITY.test(l))) return undefined;
  return lines;
}
