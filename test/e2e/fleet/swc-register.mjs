// Runs the library's TypeScript sources in a plain Node process (the fleet's child processes):
// `node --import ./swc-register.mjs worker.ts`. The hooks transpile .ts with @swc/core, as Jest
// does, so a clean checkout needs no build. See swc-hooks.mjs.
import { register } from 'node:module';

register('./swc-hooks.mjs', import.meta.url);
