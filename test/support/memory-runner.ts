import type { AnnotationTarget, Runner } from '../../src/runner/runner.js';

/**
 * The runner adapter kept in memory: what a step would log, output, mask and summarise. For unit tests of
 * code that talks to the runner only through `Runner`; the actions themselves are tested as bundles.
 */
export interface MemoryRunner extends Runner {
  outputs: Record<string, string>;
  secrets: string[];
  log: {
    level: 'info' | 'debug' | 'notice' | 'warning' | 'error';
    message: string;
    target?: AnnotationTarget;
  }[];
  summary: string;
  state: Record<string, string>;
}

export function memoryRunner(
  inputs: Record<string, string> = {},
  env: Record<string, string | undefined> = {},
): MemoryRunner {
  const r: MemoryRunner = {
    outputs: {},
    secrets: [],
    log: [],
    summary: '',
    state: {},
    input: (name) => (inputs[name] ?? '').trim(),
    setOutput: (name, value) => {
      r.outputs[name] = String(value);
    },
    setSecret: (value) => {
      if (value) r.secrets.push(value);
    },
    info: (message) => r.log.push({ level: 'info', message }),
    debug: (message) => r.log.push({ level: 'debug', message }),
    notice: (message, target) => r.log.push({ level: 'notice', message, target }),
    warning: (message, target) => r.log.push({ level: 'warning', message, target }),
    error: (message, target) => r.log.push({ level: 'error', message, target }),
    group: (_name, fn) => fn(),
    appendSummary: async (markdown) => {
      r.summary += markdown;
    },
    saveState: (name, value) => {
      r.state[name] = value;
    },
    env,
  };
  return r;
}
