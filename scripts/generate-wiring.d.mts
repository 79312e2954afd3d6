import type { PlaybookWiring } from '../src/plan/wiring.js';

export declare const PLAYBOOK: string;
export declare const WIRING_FILE: string;
/** The wiring of a playbook's YAML text. */
export declare function playbookWiring(yamlText: string): PlaybookWiring;
/** The generated module, by path relative to the repository root. */
export declare function wiringFiles(): Record<string, string>;
