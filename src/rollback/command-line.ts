/**
 * Splits one hook line into words, without a shell. The rules are a small, documented subset of POSIX
 * quoting, so a line reads the way it would in a terminal, but nothing is ever expanded or interpreted:
 *
 * - unquoted spaces and tabs separate words;
 * - '…' keeps everything inside literally (no escapes inside single quotes);
 * - "…" keeps everything inside literally, except that \" and \\ stand for " and \;
 * - outside quotes, a backslash takes the next character literally (`a\ b` is one word);
 * - quoted parts join the word they touch (`--name="a b"` is one word `--name=a b`), and '' or "" alone
 *   is an empty word.
 *
 * `;`, `|`, `&&`, `>`, `<`, `$VAR`, `$(…)`, backticks, `~`, `*` and `#` (after the first character of the
 * line) are ordinary characters: they reach the program as (part of) its arguments.
 */
export type SplitResult = { ok: true; words: string[] } | { ok: false; problem: string };

export function splitCommandLine(line: string): SplitResult {
  const words: string[] = [];
  let word = '';
  // A word can be empty ('' or ""), so "is there a word" is tracked apart from its text.
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, problem: `a single quote at column ${i + 1} is never closed` };
      word += line.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < line.length) {
        const d = line[j] as string;
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) {
          word += line[j + 1];
          j += 2;
          continue;
        }
        word += d;
        j++;
      }
      if (!closed) return { ok: false, problem: `a double quote at column ${i + 1} is never closed` };
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= line.length) return { ok: false, problem: 'the line ends with a lone backslash' };
      word += line[i + 1];
      i += 2;
      continue;
    }
    word += c;
    i++;
  }
  if (inWord) words.push(word);
  if (words.length === 0) return { ok: false, problem: 'the line has no words' };
  return { ok: true, words };
}
