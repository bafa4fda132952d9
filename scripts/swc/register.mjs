// Runs this project's TypeScript (the library, tests' child processes, the bench) in plain Node
// with no build step: `node --import ./scripts/swc/register.mjs file.ts`. See swc-hooks.mjs.
import { register } from 'node:module';

register('./swc-hooks.mjs', import.meta.url);
