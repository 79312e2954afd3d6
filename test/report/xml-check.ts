/**
 * A minimal XML well-formedness check for tests (no XML parser is installed): tags nest and match,
 * attributes are quoted, and text and attribute values contain no raw `<` and no `&` that does
 * not start an entity or character reference. Returns the problems found; none means well formed.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml [^?]*\?>\n?/, '');
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const match of body.matchAll(token)) {
    const [, closing, name, attributes, selfClosing, text, strayLt] = match;
    if (strayLt !== undefined) {
      problems.push(`raw "<" or malformed tag at offset ${match.index}`);
    } else if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') problems.push('text outside the root element');
      problems.push(...badAmpersands(text));
    } else if (name !== undefined) {
      for (const [, value] of (attributes ?? '').matchAll(/="([^"]*)"/g)) {
        problems.push(...badAmpersands(value ?? ''));
        if ((value ?? '').includes('<')) problems.push(`raw "<" in an attribute of <${name}>`);
      }
      if (closing === '/') {
        const open = stack.pop();
        if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      } else if (selfClosing !== '/') {
        stack.push(name);
      }
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  for (const char of xml) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd) {
      problems.push(`character U+${code.toString(16).padStart(4, '0')} is not allowed in XML 1.0`);
    }
  }
  return problems;
}

function badAmpersands(text: string): string[] {
  const stray = text.match(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g);
  return stray === null ? [] : [`${stray.length} unescaped "&"`];
}
