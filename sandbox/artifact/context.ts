import type { ArtifactState } from './state.js';

/** What every route handler of one service instance shares. */
export interface ServiceContext {
  state: ArtifactState;
  /** Signs runtime tokens and blob URLs. */
  key: Buffer;
  origin: string;
  now(): number;
  signedUrlTtlMs: number;
  defaultRetentionDays: number;
  maxRetentionDays: number;
  repository: string;
  githubToken: string;
}
