#!/usr/bin/env node
// The CLI runs from its committed bundle, so `npx deploy-gates` needs no build step.
import '../dist/cli/index.js';
