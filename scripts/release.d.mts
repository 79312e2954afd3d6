export const REPOSITORY: string;
export const SHIPPED_WORKFLOWS: string[];
export function pinActions(text: string, sha: string, repository?: string): { text: string; count: number };
export function releaseNotes(changelog: string, version: string): string;
