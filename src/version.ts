// The version is written here rather than imported from package.json: importing the JSON put the whole
// package.json (scripts, devDependencies) into every bundle, so any edit to it changed every chunk.
// test/release.test.ts keeps the two equal, and the release workflow refuses a tag that differs.
export const TOOL_NAME = 'deploy-gates';
export const TOOL_VERSION = '0.1.0';
export const TOOL_URI = 'https://github.com/neonpro/deploy-gates';
