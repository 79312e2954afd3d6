/** A fresh age identity file as age-keygen writes it (comments, then the key), its key line and public key. */
export async function ageKey(): Promise<{ file: string; secretLine: string; recipient: string }> {
  const age = await import('age-encryption');
  const secretLine = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(secretLine);
  return {
    file: `# created: 2026-12-05T21:00:00Z\n# public key: ${recipient}\n${secretLine}\n`,
    secretLine,
    recipient,
  };
}
