const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Makes untrusted text (from facts, policies or waivers) render as literal text on one line of
 * Markdown, including inside a table cell. Markdown punctuation is backslash-escaped so the text
 * cannot open links, images, emphasis or code spans, HTML is turned into entities so it cannot
 * add tags, and line breaks become spaces because a newline would end the table row.
 */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/[\\`*_[\]~|]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/\r\n|\r|\n/g, ' ');
}

/**
 * Untrusted text as a code span in a table cell. Inside a code span a backslash is shown as typed, so
 * instead of escaping, the fence is one backtick longer than any run of backticks in the text (CommonMark
 * §6.1); only `|` is escaped, because GFM splits table cells before it parses code spans.
 */
export function tableCodeSpan(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A space on each side keeps a backtick at either end from joining the fence; CommonMark strips it.
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A link to `url` when it is an absolute http(s) URL, otherwise just the text: a link target from
 * a policy file must not become a `javascript:` link or break out of the `(...)`.
 */
export function markdownLink(text: string, url: string | undefined): string {
  const label = escapeMarkdownInline(text);
  if (url === undefined || !URL.canParse(url)) return label;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return label;
  const target = parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
  return `[${label}](${target})`;
}
