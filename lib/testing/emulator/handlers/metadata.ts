import { header, textAnswer, type EmulatorAnswer, type EmulatorRequest } from '../http.js';
import { CLOUD_PLATFORM_SCOPE, parseScopeList } from '../scopes.js';
import { secondsLeft, type ServiceAccountRecord } from '../state/index.js';
import type { Handler, HandlerContext } from './context.js';

export const METADATA_BASE_PATH = '/computeMetadata/v1';

/** Sent on every metadata answer; gcp-metadata rejects answers without it. */
export const METADATA_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'metadata-flavor': 'Google',
  server: 'Metadata Server for VM',
  'x-xss-protection': '0',
  'x-frame-options': 'SAMEORIGIN',
});

/** Content types as the real server sends them: Python's google-auth parses JSON only on an exact `application/json`. */
const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'application/text';
const HTML_TYPE = 'text/html; charset=UTF-8';

/** A metadata value as JSON has it. */
type MetadataValue =
  string | number | readonly string[] | { readonly [key: string]: MetadataValue };

/**
 * A node of the metadata tree: a directory, a value, or an entry computed per request (`token`,
 * `identity`), which recursive answers leave out as the real server does.
 */
type MetadataNode =
  | { kind: 'directory'; entries: Readonly<Record<string, MetadataNode>> }
  | { kind: 'value'; value: MetadataValue }
  | {
      kind: 'computed';
      answer: (request: EmulatorRequest, context: HandlerContext) => EmulatorAnswer;
    };

type Format = 'json' | 'text';

function directory(entries: Record<string, MetadataNode>): MetadataNode {
  return { kind: 'directory', entries };
}

function value(v: MetadataValue): MetadataNode {
  return { kind: 'value', value: v };
}

function text(status: number, body: string, contentType = TEXT_TYPE): EmulatorAnswer {
  return textAnswer(status, body, { ...METADATA_HEADERS }, contentType);
}

function notFound(): EmulatorAnswer {
  return text(404, 'Not Found\n', HTML_TYPE);
}

function forbidden(path: string, reason: string): EmulatorAnswer {
  return text(
    403,
    `Your client does not have permission to get URL ${path} from this server. ${reason}\n`,
    HTML_TYPE,
  );
}

/** Keys as recursive JSON answers name them: `service-accounts` → `serviceAccounts`; emails as they are. */
function jsonKey(name: string): string {
  return /^[a-z0-9]+(-[a-z0-9]+)+$/.test(name)
    ? name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    : name;
}

/** `key value` lines, nested keys joined by `/`, one line per list item. */
function textLines(v: MetadataValue, prefix = ''): string[] {
  if (typeof v === 'string' || typeof v === 'number') return [`${prefix}${String(v)}`];
  if (Array.isArray(v)) return (v as readonly string[]).map((item) => `${prefix}${item}`);
  const object = v as { readonly [key: string]: MetadataValue };
  return Object.entries(object).flatMap(([key, inner]) =>
    typeof inner === 'object' && !Array.isArray(inner)
      ? textLines(inner, `${prefix}${key}/`)
      : textLines(inner, `${prefix}${key} `),
  );
}

function valueAnswer(v: MetadataValue, format: Format): EmulatorAnswer {
  if (format === 'json') return text(200, JSON.stringify(v), JSON_TYPE);
  if (typeof v === 'string' || typeof v === 'number') return text(200, String(v));
  return text(
    200,
    textLines(v)
      .map((line) => `${line}\n`)
      .join(''),
  );
}

/** A directory's values, computed entries left out; JSON keys in camelCase, text keys as they are. */
function directoryValue(node: MetadataNode, format: Format): MetadataValue | undefined {
  if (node.kind === 'value') return node.value;
  if (node.kind === 'computed') return undefined;
  const out: Record<string, MetadataValue> = {};
  for (const [name, child] of Object.entries(node.entries)) {
    const v = directoryValue(child, format);
    if (v !== undefined) out[format === 'json' ? jsonKey(name) : name] = v;
  }
  return out;
}

/** `?alt=json|text`; `recursive=true` defaults to JSON. */
function requestedFormat(request: EmulatorRequest, fallback: Format): Format {
  const alt = request.query.get('alt');
  return alt === 'json' || alt === 'text' ? alt : fallback;
}

function answerNode(
  node: MetadataNode,
  request: EmulatorRequest,
  context: HandlerContext,
): EmulatorAnswer {
  const recursive = request.query.get('recursive') === 'true';
  switch (node.kind) {
    case 'computed':
      return node.answer(request, context);
    case 'value':
      return valueAnswer(node.value, requestedFormat(request, recursive ? 'json' : 'text'));
    case 'directory': {
      const format = requestedFormat(request, recursive ? 'json' : 'text');
      if (recursive) return valueAnswer(directoryValue(node, format) ?? {}, format);
      const names = Object.entries(node.entries).map(([name, child]) =>
        child.kind === 'directory' ? `${name}/` : name,
      );
      return format === 'json'
        ? valueAnswer(names, 'json')
        : text(200, names.map((name) => `${name}\n`).join(''));
    }
  }
}

/** `token?scopes=a,b`: the same token for the same scopes until close to expiry. */
function tokenEntry(request: EmulatorRequest, context: HandlerContext): EmulatorAnswer {
  const { state } = context;
  const issued = state.metadataToken(parseScopeList(request.query.get('scopes')));
  const token = {
    access_token: issued.token,
    expires_in: secondsLeft(issued, state.clock.now()),
    token_type: 'Bearer',
  };
  return valueAnswer(token, requestedFormat(request, 'json'));
}

/** `identity?audience=…[&format=full]`: the account's ID token; `email` only with `format=full`. */
function identityEntry(account: ServiceAccountRecord) {
  return (request: EmulatorRequest, context: HandlerContext): EmulatorAnswer => {
    const audience = request.query.get('audience');
    if (!audience) return text(400, 'non-empty audience parameter required\n');
    const idToken = context.state.serviceAccountIdToken(account, audience, {
      includeEmail: request.query.get('format') === 'full',
    });
    return text(200, idToken, 'text/html; charset=utf-8');
  };
}

function serviceAccountDirectory(account: ServiceAccountRecord): MetadataNode {
  return directory({
    aliases: value(['default']),
    email: value(account.email),
    identity: { kind: 'computed', answer: identityEntry(account) },
    scopes: value([CLOUD_PLATFORM_SCOPE]),
    token: { kind: 'computed', answer: tokenEntry },
  });
}

/** What the emulated VM's metadata server holds (entries in the real server's order: sorted). */
function metadataTree(context: HandlerContext): MetadataNode {
  const { state } = context;
  const account = serviceAccountDirectory(state.defaultServiceAccount);
  return directory({
    instance: directory({
      hostname: value(`emulator.c.${state.projectId}.internal`),
      id: value(state.instanceId),
      'service-accounts': directory({
        default: account,
        [state.defaultServiceAccount.email]: account,
      }),
      zone: value(`projects/${state.projectNumber}/zones/us-central1-a`),
    }),
    project: directory({
      'numeric-project-id': value(Number(state.projectNumber)),
      'project-id': value(state.projectId),
    }),
    universe: directory({ 'universe-domain': value('googleapis.com') }),
  });
}

/** The node at a path below `computeMetadata/v1` (account emails case-insensitive), if any. */
function find(root: MetadataNode, path: string): MetadataNode | undefined {
  let node: MetadataNode | undefined = root;
  for (const raw of path.split('/').filter((segment) => segment !== '')) {
    if (node?.kind !== 'directory') return undefined;
    const segment = decodeURIComponent(raw);
    const entries: Readonly<Record<string, MetadataNode>> = node.entries;
    const name = Object.keys(entries).find(
      (key) =>
        key === segment || (key.includes('@') && key.toLowerCase() === segment.toLowerCase()),
    );
    node = name === undefined ? undefined : entries[name];
  }
  return node;
}

/**
 * `…/computeMetadata/v1/…`: the default service account's email, tokens and ID tokens, the
 * project id, and the directories clients read (`?recursive=true` as JSON, `?alt=json|text`).
 * Requires `Metadata-Flavor: Google` and refuses `X-Forwarded-For`, as the real server does.
 */
export const handleMetadata: Handler = (request, context) => {
  if (header(request, 'metadata-flavor') !== 'Google') {
    return forbidden(request.pathname, 'Missing Metadata-Flavor:Google header.');
  }
  if (header(request, 'x-forwarded-for') !== undefined) {
    return forbidden(request.pathname, 'Request had an X-Forwarded-For header.');
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return text(405, 'Method Not Allowed\n', HTML_TYPE);
  }
  const node = find(metadataTree(context), request.pathname.slice(METADATA_BASE_PATH.length));
  return node ? answerNode(node, request, context) : notFound();
};

/** `GET /`: the metadata server's root, which Python's google-auth pings (and checks `Metadata-Flavor` on). */
export const handleMetadataRoot: Handler = (request) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return text(405, 'Method Not Allowed\n', HTML_TYPE);
  }
  return text(200, 'computeMetadata/\n');
};
