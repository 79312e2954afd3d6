/** A block of Markdown whose items may be dropped, from the end, to save space. */
export interface Section {
  /** Lines always shown with the section (a heading, a table header). */
  intro: string[];
  /** One line each, most important first. */
  items: string[];
  /**
   * How many of the first items matter more than any other section's optional items; the rest
   * get whatever room is left at the end. All of them when left out.
   */
  essential?: number;
  /** The line that replaces `count` dropped items. */
  omitted: (count: number) => string;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function linesBytes(lines: readonly string[]): number {
  let total = 0;
  for (const line of lines) total += utf8Bytes(line) + 1;
  return total;
}

/**
 * Joins `head` and the sections into newline-terminated lines of at most `maxBytes` UTF-8 bytes,
 * keeping a prefix of each section's items. Every section keeps its intro and an "omitted" line,
 * so a long section cannot hide that the others exist; room goes first to the essential items of
 * each section in order, then to the remaining items in order.
 */
export function fitSections(head: string[], sections: Section[], maxBytes: number): string {
  const kept = sections.map(() => 0);
  // The "omitted" line is reserved for the largest possible count: fewer dropped items never
  // make that line longer, so whatever is added later only has to pay for itself.
  let room = maxBytes - linesBytes(head) - sections.reduce((sum, s) => sum + linesBytes(shortened(s, 0)), 0);

  const fill = (index: number, upTo: number): void => {
    const section = sections[index];
    if (section === undefined) return;
    let count = kept[index] ?? 0;
    while (count < upTo) {
      const bytes = utf8Bytes(section.items[count] ?? '') + 1;
      if (bytes > room) break;
      room -= bytes;
      count += 1;
    }
    kept[index] = count;
  };
  sections.forEach((section, i) => {
    fill(i, Math.min(section.essential ?? section.items.length, section.items.length));
  });
  sections.forEach((section, i) => {
    fill(i, section.items.length);
  });

  const lines = [...head];
  sections.forEach((section, i) => {
    const count = kept[i] ?? 0;
    lines.push(
      ...(count === section.items.length
        ? [...section.intro, ...section.items, '']
        : shortened(section, count)),
    );
  });
  // Only a head or intros larger than the whole budget get here oversized; cut rather than overflow.
  return truncateUtf8(lines.map((line) => `${line}\n`).join(''), maxBytes);
}

function shortened(section: Section, kept: number): string[] {
  const dropped = section.items.length - kept;
  return [...section.intro, ...section.items.slice(0, kept), '', section.omitted(dropped), ''];
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not split a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Continuation bytes look like 10xxxxxx; step back to the first byte of their character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}
