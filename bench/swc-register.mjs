// Runs the bench's and the library's TypeScript in plain Node, with no build step:
// `node --import ./bench/swc-register.mjs bench/run.ts`. It registers the module hooks the fleet
// tests already use (test/e2e/fleet/swc-hooks.mjs: `./x.js` imports find `./x.ts`, and .ts is
// transpiled by @swc/core with Jest's options, decorator metadata included), so the bench runs
// the same transpiled code as the tests do.
import { register } from 'node:module';

register('../test/e2e/fleet/swc-hooks.mjs', import.meta.url);
