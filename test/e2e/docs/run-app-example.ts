/**
 * Runs one app example of the docs (a block written out by doc-blocks.ts) in a process of its
 * own: `node --import ./scripts/swc/register.mjs run-app-example.ts <block.ts>`. Every Nest
 * module the block exports is booted against the emulator — its OAuth2Module options kept but for
 * the service account, Google's URLs and one more allowed client id, the way docs/testing.md
 * overrides them — and every GET route is called with a token of the emulator's user holding
 * every scope the block names (`:params` filled with that user's email), and a service-account
 * token is minted through the app's token store. Google's API calls the app makes through the
 * module's clients go to the emulator too; anything else off this machine is refused. A route that
 * admits service accounts only (`@AllowServiceAccounts`) is called with an ID token of the first
 * account it names (else of `endpoints.serviceAccounts.allowed`) for the first configured
 * audience, and a route that needs no scope in an app behind IAP (`endpoints.iap`) with an IAP
 * assertion for that user, as each would be called in production. Prints one
 * JSON line, `{ modules, minted, routes: [{ module, path, status, body }] }`, and exits.
 */
// oxlint-disable-next-line import/no-unassigned-import -- Nest's decorators need it loaded first
import 'reflect-metadata';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { pathToFileURL } from 'node:url';
import {
  OAUTH2_MODULE_OPTIONS,
  OAuth2Module,
  ServiceAccountCredentialsFactory,
  TokenStore,
  type OAuth2ModuleOptions,
} from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';
import {
  PUBLIC_METADATA,
  SCOPES_METADATA,
  SERVICE_ACCOUNTS_METADATA,
} from '../../../lib/endpoints/endpoints.metadata.js';
import { GoogleHttpClient } from '../../../lib/google/google-http-client.js';

export const DOC_USER = 'alice@example.com';
export const DOC_CLIENT = 'docs-example.apps.googleusercontent.com';
const GOOGLE_APIS = 'https://www.googleapis.com/';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** What the runner saw, printed as one JSON line. */
export interface AppExampleReport {
  /** The exported modules it booted. */
  modules: string[];
  /** Service-account tokens minted through each app's token store (one per module). */
  minted: number;
  /** Each app's token store by class, with whether a set, get and delete went through it. */
  stores: { store: string; roundTrip: boolean }[];
  routes: RouteResult[];
}

export interface RouteResult {
  module: string;
  path: string;
  status: number;
  body: string;
}

type ModuleRef = Type<unknown> | DynamicModule;

const isModuleClass = (value: unknown): value is Type<unknown> =>
  typeof value === 'function' &&
  Object.values(MODULE_METADATA).some((key) => Reflect.hasOwnMetadata(key, value));

function moduleClass(ref: ModuleRef): Type<unknown> {
  return 'module' in ref ? ref.module : ref;
}

/** Every module reachable from `root` through `imports` (dynamic ones as they are declared). */
function moduleGraph(root: ModuleRef): ModuleRef[] {
  const seen = new Set<unknown>();
  const all: ModuleRef[] = [];
  const visit = (ref: ModuleRef | Promise<unknown> | undefined) => {
    if (!ref || ref instanceof Promise || seen.has(ref)) return;
    seen.add(ref);
    all.push(ref);
    const type = moduleClass(ref);
    const imports = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) as ModuleRef[] | undefined) ?? []),
      ...('module' in ref ? (ref.imports ?? []) : []),
    ];
    for (const imported of imports) visit(imported as ModuleRef);
  };
  visit(root);
  return all;
}

/** The OAuth2Module options provider an app declares (forRoot's value, forRootAsync's factory). */
function optionsProvider(graph: ModuleRef[]): Provider {
  for (const ref of graph) {
    if (!('module' in ref) || ref.module !== OAuth2Module) continue;
    const provider = ref.providers?.find(
      (candidate) => typeof candidate === 'object' && candidate.provide === OAUTH2_MODULE_OPTIONS,
    );
    if (provider) return provider;
  }
  throw new Error('the example imports no OAuth2Module.forRoot() / forRootAsync()');
}

/** A GET route, `:params` filled in, and who it admits. */
interface GetRoute {
  path: string;
  caller: RouteCaller;
}

/**
 * Who a route admits, as `GoogleOAuth2Guard.getPolicy` reads its metadata (the handler's, else
 * the controller's): service accounts only (`accounts`: those it names, none: the allowed list),
 * or users, with the scopes it names (none: any verified caller).
 */
type RouteCaller =
  | { kind: 'serviceAccount'; accounts: readonly string[] }
  | { kind: 'user'; scopes: readonly string[] };

function routeCaller(handler: object, controller: object): RouteCaller {
  for (const target of [handler, controller]) {
    const scopes = Reflect.getMetadata(SCOPES_METADATA, target) as readonly string[] | undefined;
    const accounts = Reflect.getMetadata(SERVICE_ACCOUNTS_METADATA, target) as
      readonly string[] | undefined;
    if (accounts && !scopes) return { kind: 'serviceAccount', accounts };
    if (scopes) return { kind: 'user', scopes };
    if (Reflect.getMetadata(PUBLIC_METADATA, target)) break;
  }
  return { kind: 'user', scopes: [] };
}

/** GET routes of every controller in the graph, `:params` filled in. */
function getRoutes(graph: ModuleRef[]): GetRoute[] {
  const routes: GetRoute[] = [];
  for (const ref of graph) {
    const type = moduleClass(ref);
    const controllers = [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) as Type<unknown>[]) ?? []),
      ...('module' in ref ? (ref.controllers ?? []) : []),
    ];
    for (const controller of controllers) {
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
        const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const full = `/${[base, path]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        routes.push({
          path: full.replace(/:\w+/g, encodeURIComponent(DOC_USER)),
          caller: routeCaller(handler, controller),
        });
      }
    }
  }
  return routes;
}

async function main(file: string): Promise<AppExampleReport> {
  const source = await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'));
  const scopes = [...new Set(source.match(/https:\/\/www\.googleapis\.com\/auth\/[\w.]+/g) ?? [])];
  const emulator = await new GoogleOAuth2Emulator().start();
  const key = emulator.createServiceAccount();
  emulator.addUser({ email: DOC_USER, name: 'Alice Example' });
  if (scopes.length) emulator.grantDomainWideDelegation(key.client_id, scopes);
  const token = emulator.issueAccessToken({
    email: DOC_USER,
    clientId: DOC_CLIENT,
    scopes: ['openid', 'email', 'profile', ...scopes],
  });
  let configured: OAuth2ModuleOptions = {};
  const pointAtEmulator = (options: OAuth2ModuleOptions = {}): OAuth2ModuleOptions => ({
    ...(configured = options),
    serviceAccount: key,
    google: emulator.urls,
    endpoints: {
      ...options.endpoints,
      allowedClientIds: [...(options.endpoints?.allowedClientIds ?? []), DOC_CLIENT],
    },
  });

  const exported = Object.values(await import(pathToFileURL(file).href)).filter(isModuleClass);
  if (exported.length === 0) throw new Error('the example exports no Nest module');
  const report: AppExampleReport = { modules: [], minted: 0, stores: [], routes: [] };
  try {
    for (const root of exported) {
      const graph = moduleGraph(root);
      const original = optionsProvider(graph) as {
        useValue?: OAuth2ModuleOptions;
        useFactory?: (...deps: unknown[]) => OAuth2ModuleOptions | Promise<OAuth2ModuleOptions>;
        inject?: never[];
      };
      const builder = Test.createTestingModule({ imports: [root] });
      const override = builder.overrideProvider(OAUTH2_MODULE_OPTIONS);
      const testing = await (
        original.useFactory
          ? override.useFactory({
              factory: async (...deps: unknown[]) =>
                pointAtEmulator(await original.useFactory?.(...deps)),
              inject: original.inject ?? [],
            })
          : override.useValue(pointAtEmulator(original.useValue))
      ).compile();
      const app = testing.createNestApplication({ logger: false });
      await app.init();
      redirectGoogleApis(app.get(GoogleHttpClient, { strict: false }), emulator.urls.apiRoot);
      await app.listen(0, '127.0.0.1');
      try {
        report.modules.push(root.name);
        const minted = await app
          .get(ServiceAccountCredentialsFactory, { strict: false })
          .getAccessToken(CLOUD_PLATFORM);
        if (minted.token) report.minted++;
        report.stores.push(await storeRoundTrip(app.get(TokenStore, { strict: false })));
        const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
        for (const { path, caller } of getRoutes(graph)) {
          const headers = credentialsFor(caller, configured, emulator, token);
          const res = await fetch(base + path, { headers });
          report.routes.push({
            module: root.name,
            path,
            status: res.status,
            body: await res.text(),
          });
        }
      } finally {
        await app.close();
      }
    }
  } finally {
    await emulator.stop();
  }
  return report;
}

/** The headers that call a route as the kind of caller it admits (see `main`'s comment). */
function credentialsFor(
  caller: RouteCaller,
  options: OAuth2ModuleOptions,
  emulator: GoogleOAuth2Emulator,
  userToken: string,
): Record<string, string> {
  const { serviceAccounts, iap } = options.endpoints ?? {};
  if (caller.kind === 'serviceAccount') {
    const email = caller.accounts[0] ?? serviceAccounts?.allowed[0];
    const audience = serviceAccounts?.audiences[0];
    if (!email || !audience)
      throw new Error('@AllowServiceAccounts without endpoints.serviceAccounts');
    emulator.createServiceAccount({ email });
    return { authorization: `Bearer ${emulator.issueIdToken({ email, audience })}` };
  }
  if (iap && caller.scopes.length === 0) {
    const assertion = emulator.issueIapAssertion({ email: DOC_USER, audience: iap.audiences[0]! });
    return { 'x-goog-iap-jwt-assertion': assertion };
  }
  return { authorization: `Bearer ${userToken}` };
}

/**
 * A set, get and delete on the app's own store (Redis, Datastore… as the example configured it):
 * the module would mint around a store that fails, so minting alone does not show it works.
 */
async function storeRoundTrip(store: TokenStore): Promise<{ store: string; roundTrip: boolean }> {
  const key = `sa-token:v1:docs-example-${process.pid}`;
  const token = { accessToken: 'ya29.docs-example', expiresAt: Date.now() + 60_000, scopes: ['x'] };
  await store.set(key, token);
  const read = await store.get(key);
  await store.delete(key);
  const gone = await store.get(key);
  return {
    store: store.constructor.name,
    roundTrip: read?.accessToken === token.accessToken && gone === undefined,
  };
}

/**
 * The app's googleapis calls through the module's clients go where `rootUrl` would send them in
 * a test; a call to any other host off this machine fails instead of leaving it.
 */
function redirectGoogleApis(http: GoogleHttpClient, apiRoot: string): void {
  http.transporter.interceptors.request.add({
    resolved: async (options) => {
      const url = String(options.url);
      if (url.startsWith(GOOGLE_APIS)) {
        options.url = new URL(apiRoot + url.slice(GOOGLE_APIS.length));
      } else if (!/^http:\/\/127\.0\.0\.1[:/]/.test(url)) {
        throw new Error(`a docs example tried to reach ${new URL(url).host}`);
      }
      return options;
    },
  });
}

main(process.argv[2]).then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
