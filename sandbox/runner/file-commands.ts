/**
 * Parses the files behind GITHUB_OUTPUT, GITHUB_STATE and GITHUB_ENV the way the runner does:
 * `name=value` lines and `name<<DELIMITER` heredocs (what @actions/core writes, with a random
 * `ghadelimiter_<uuid>`). A malformed file fails the step on a real runner, so it throws here.
 */

interface Line {
  text: string;
  /** The newline that ended it; '' for a last line without one. */
  newline: string;
}

function readLines(content: string): Line[] {
  const lines: Line[] = [];
  let index = 0;
  while (index < content.length) {
    const lf = content.indexOf('\n', index);
    if (lf < 0) {
      lines.push({ text: content.slice(index), newline: '' });
      break;
    }
    const crlf = lf > index && content[lf - 1] === '\r';
    lines.push({ text: content.slice(index, crlf ? lf - 1 : lf), newline: crlf ? '\r\n' : '\n' });
    index = lf + 1;
  }
  return lines;
}

export function parseFileCommands(content: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = readLines(content);
  for (let i = 0; i < lines.length; i++) {
    const { text } = lines[i] as Line;
    if (text === '') continue;
    const equals = text.indexOf('=');
    const heredoc = text.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = text.slice(0, equals);
      if (name === '') throw new Error(`Invalid file command line '${text}': the name must not be empty`);
      values[name] = text.slice(equals + 1);
      continue;
    }
    if (heredoc < 0)
      throw new Error(`Invalid file command line '${text}': expected name=value or name<<DELIMITER`);
    const name = text.slice(0, heredoc);
    const delimiter = text.slice(heredoc + 2);
    if (name === '' || delimiter === '') {
      throw new Error(`Invalid file command line '${text}': the name and the delimiter must not be empty`);
    }
    // The value keeps its inner newlines exactly; the newline before the delimiter is not part of it.
    const body: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i] as Line;
      if (line.text === delimiter) {
        closed = true;
        break;
      }
      if (line.newline === '')
        throw new Error(`Invalid value for '${name}': the file ends before '${delimiter}'`);
      body.push(line.text, line.newline);
    }
    if (!closed) throw new Error(`Invalid value for '${name}': matching delimiter '${delimiter}' not found`);
    values[name] = body.slice(0, -1).join('');
  }
  return values;
}

/** GITHUB_PATH: one directory per line, in the order written. */
export function parsePathFile(content: string): string[] {
  return readLines(content)
    .map((line) => line.text)
    .filter((line) => line !== '');
}
