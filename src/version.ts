import pkg from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'deploy-gates';
export const TOOL_VERSION: string = pkg.version;
export const TOOL_URI = 'https://github.com/neonpro/deploy-gates';
