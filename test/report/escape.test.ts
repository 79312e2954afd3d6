import { describe, expect, it } from 'vitest';
import { truncateUtf8 } from '../../src/report/byte-budget.js';
import { escapeMarkdownInline, markdownLink, tableCodeSpan } from '../../src/report/markdown-escape.js';
import { escapeXmlAttribute, escapeXmlText, stripInvalidXmlChars } from '../../src/report/xml-escape.js';

describe('XML escaping', () => {
  it('escapes text and attributes', () => {
    expect(escapeXmlText(`<a href="x">&'</a>`)).toBe(`&lt;a href="x"&gt;&amp;'&lt;/a&gt;`);
    expect(escapeXmlAttribute(`<"'&>\n\t`)).toBe('&lt;&quot;&apos;&amp;&gt;&#10;&#9;');
  });

  it('keeps valid characters, including astral ones, and drops invalid ones', () => {
    expect(stripInvalidXmlChars('a\u0000b\u0008c\u000bd\te\nf\rg\u{1f680}h\udc00i\ufffej\ufffdk')).toBe(
      'abcd\te\nf\rg\u{1f680}hij\ufffdk',
    );
  });
});

describe('Markdown escaping', () => {
  it('neutralises Markdown, HTML and line breaks', () => {
    expect(escapeMarkdownInline('*a* _b_ `c` [d](e) ~f~ \\ | <g> &h;\r\ni')).toBe(
      '\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\~f\\~ \\\\ \\| &lt;g&gt; &amp;h; i',
    );
  });

  it('links only to http(s) URLs, with parentheses encoded', () => {
    expect(markdownLink('Ref', 'https://example.com/a_(b)')).toBe('[Ref](https://example.com/a_%28b%29)');
    expect(markdownLink('Ref', 'javascript:alert(1)')).toBe('Ref');
    expect(markdownLink('Ref', 'not a url')).toBe('Ref');
    expect(markdownLink('R|f', undefined)).toBe('R\\|f');
  });

  it('puts text in a code span without backslashes a reader would see', () => {
    expect(tableCodeSpan('dpl_a*b')).toBe('`dpl_a*b`');
    expect(tableCodeSpan('a`b')).toBe('``a`b``');
    expect(tableCodeSpan('`x`')).toBe('`` `x` ``');
    expect(tableCodeSpan('a|b\nc')).toBe('`a\\|b c`');
  });
});

describe('truncateUtf8', () => {
  it('cuts at a character boundary', () => {
    expect(truncateUtf8('aé€😀', 1)).toBe('a');
    expect(truncateUtf8('aé€😀', 2)).toBe('a');
    expect(truncateUtf8('aé€😀', 3)).toBe('aé');
    expect(truncateUtf8('aé€😀', 9)).toBe('aé€');
    expect(truncateUtf8('aé€😀', 10)).toBe('aé€😀');
  });
});
