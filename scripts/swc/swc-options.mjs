// The one set of SWC options for running this project's TypeScript: Jest (jest.config.mjs) and
// the plain-Node runs (the fleet tests' child processes, the bench) use it alike. ESM output,
// legacy decorators with their metadata, which NestJS needs.
export const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};
