import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import { pointerToSegments } from '../util/json-pointer.js';

export interface Position {
  line: number;
  column: number;
}

/** A JSON or YAML file read for an input, able to say on which line a JSON Pointer lies. */
export interface StructuredFile {
  path: string;
  text: string;
  data: unknown;
  /** 1-based position of the value at `pointer`, or of its nearest existing parent. */
  locate(pointer: string): Promise<Position>;
}

// The YAML parser is loaded only for YAML files: loading it costs more than half of a bare Node start.
const loadYaml = () => import('yaml');

function isYaml(path: string): boolean {
  return ['.yml', '.yaml'].includes(extname(path).toLowerCase());
}

function positionOfOffset(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** V8 says either "(line L column C)" or only "at position N"; both end up as a line and column. */
function jsonErrorPosition(text: string, message: string): Position | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc?.[1] && lc[2]) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (pos?.[1]) return positionOfOffset(text, Number(pos[1]));
  if (/end of JSON input/i.test(message)) return positionOfOffset(text, text.length);
  return undefined;
}

function cleanJsonMessage(message: string): string {
  return message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
}

async function parseData(path: string, source: string, input: string): Promise<unknown> {
  if (isYaml(path)) {
    const { parse, YAMLParseError } = await loadYaml();
    try {
      return parse(source, { prettyErrors: true, uniqueKeys: true });
    } catch (err) {
      const where =
        err instanceof YAMLParseError && err.linePos
          ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}`
          : '';
      const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new InputError(
        input,
        `${path} is not valid YAML${where}: ${detail}`,
        'Fix the syntax of that file.',
      );
    }
  }
  try {
    return JSON.parse(source);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = jsonErrorPosition(source, message);
    const where = pos ? ` at line ${pos.line}, column ${pos.column}` : '';
    throw new InputError(
      input,
      `${path} is not valid JSON${where}: ${cleanJsonMessage(message)}`,
      'Fix the syntax of that file.',
    );
  }
}

type Locate = (pointer: string) => Position;

/** JSON positions come from jsonc-parser: a fraction of the YAML parser's size and load time. */
async function jsonLocator(source: string): Promise<Locate> {
  const { parseTree } = await import('jsonc-parser');
  const root = parseTree(source);
  return (pointer) => {
    let node = root;
    let found = root;
    for (const segment of pointerToSegments(pointer)) {
      if (node?.type === 'object') {
        node = node.children?.find((p) => p.children?.[0]?.value === segment)?.children?.[1];
      } else if (node?.type === 'array') {
        node = node.children?.[Number(segment)];
      } else {
        node = undefined;
      }
      if (!node) break;
      found = node;
    }
    return positionOfOffset(source, found?.offset ?? 0);
  };
}

async function yamlLocator(source: string): Promise<Locate> {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = await loadYaml();
  const counter = new LineCounter();
  const root = parseDocument(source, { lineCounter: counter }).contents;
  return (pointer) => {
    let node: unknown = root;
    let found = root;
    for (const segment of pointerToSegments(pointer)) {
      if (isMap(node))
        node = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment)?.value;
      else if (isSeq(node)) node = node.items[Number(segment)];
      else node = undefined;
      if (!node || typeof node !== 'object' || !('range' in node)) break;
      found = node as typeof root;
    }
    const pos = counter.linePos(found?.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
}

/** Parsed a second time only when a position is asked for, so the happy path pays for one parse. */
function locator(path: string, source: string): (pointer: string) => Promise<Position> {
  let index: Promise<Locate> | undefined;
  return async (pointer) => {
    index ??= isYaml(path) ? yamlLocator(source) : jsonLocator(source);
    return (await index)(pointer);
  };
}

export async function parseStructured(path: string, text: string, input: string): Promise<StructuredFile> {
  const source = text.replace(/^\uFEFF/, '');
  const data = await parseData(path, source, input);
  return { path, text: source, data, locate: locator(path, source) };
}

export async function readStructured(
  path: string,
  input: string,
  displayPath = path,
): Promise<StructuredFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? `${displayPath} does not exist`
        : `${displayPath} cannot be read (${code ?? 'error'})`;
    throw new InputError(
      input,
      problem,
      'Check the path; relative paths are read from the workspace (GITHUB_WORKSPACE).',
    );
  }
  return parseStructured(displayPath, text, input);
}
