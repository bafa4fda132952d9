import {
  header,
  jsonAnswer,
  textAnswer,
  type EmulatorAnswer,
  type EmulatorRequest,
} from '../http.js';
import { CLOUD_PLATFORM_SCOPE, parseScopeList } from '../scopes.js';
import { secondsLeft } from '../state/index.js';
import type { Handler, HandlerContext } from './context.js';

export const METADATA_BASE_PATH = '/computeMetadata/v1';

/** Sent on every metadata answer; gcp-metadata rejects answers without it. */
export const METADATA_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'metadata-flavor': 'Google',
  server: 'Metadata Server for VM',
  'x-xss-protection': '0',
  'x-frame-options': 'SAMEORIGIN',
});

function text(status: number, body: string, contentType = 'application/text'): EmulatorAnswer {
  return textAnswer(status, body, { ...METADATA_HEADERS }, contentType);
}

function listing(...entries: string[]): EmulatorAnswer {
  return text(200, entries.map((entry) => `${entry}\n`).join(''));
}

function notFound(): EmulatorAnswer {
  return text(404, 'Not Found\n', 'text/html; charset=UTF-8');
}

function forbidden(path: string, reason: string): EmulatorAnswer {
  return text(
    403,
    `Your client does not have permission to get URL ${path} from this server. ${reason}\n`,
    'text/html; charset=UTF-8',
  );
}

/** `instance/service-accounts/{default | email}/…`; 404 for any account but the default one. */
function serviceAccount(
  account: string,
  rest: string,
  request: EmulatorRequest,
  context: HandlerContext,
): EmulatorAnswer {
  const { state } = context;
  const sa = state.defaultServiceAccount;
  if (account !== 'default' && account.toLowerCase() !== sa.email.toLowerCase()) return notFound();
  switch (rest) {
    case '':
    case '/':
      return listing('aliases', 'email', 'identity', 'scopes', 'token');
    case '/aliases':
      return text(200, 'default');
    case '/email':
      return text(200, sa.email);
    case '/scopes':
      return text(200, `${CLOUD_PLATFORM_SCOPE}\n`);
    case '/token': {
      const issued = state.metadataToken(parseScopeList(request.query.get('scopes')));
      return jsonAnswer(
        200,
        {
          access_token: issued.token,
          expires_in: secondsLeft(issued, state.clock.now()),
          token_type: 'Bearer',
        },
        { ...METADATA_HEADERS },
      );
    }
    case '/identity': {
      const audience = request.query.get('audience');
      if (!audience) return text(400, 'non-empty audience parameter required\n');
      const claims = state.idTokenClaims({
        principal: state.serviceAccounts.principal(sa),
        audience,
        authorizedParty: sa.clientId,
      });
      if (request.query.get('format') !== 'full') {
        delete claims.email;
        delete claims.email_verified;
      }
      return text(200, state.signIdToken(claims), 'text/html; charset=utf-8');
    }
    default:
      return notFound();
  }
}

/**
 * `…/computeMetadata/v1/…`: the default service account's email, tokens and ID tokens, the
 * project id, and the directory listings gcp-metadata probes. Requires `Metadata-Flavor: Google`
 * and refuses `X-Forwarded-For`, as the real server does.
 */
export const handleMetadata: Handler = (request, context) => {
  if (header(request, 'metadata-flavor') !== 'Google') {
    return forbidden(request.pathname, 'Missing Metadata-Flavor:Google header.');
  }
  if (header(request, 'x-forwarded-for') !== undefined) {
    return forbidden(request.pathname, 'Request had an X-Forwarded-For header.');
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return text(405, 'Method Not Allowed\n', 'text/html; charset=UTF-8');
  }
  const { state } = context;
  const path = request.pathname.slice(METADATA_BASE_PATH.length);
  const accountPath = /^\/instance\/service-accounts\/([^/]+)(\/.*)?$/.exec(path);
  if (accountPath) {
    return serviceAccount(
      decodeURIComponent(accountPath[1] ?? ''),
      accountPath[2] ?? '',
      request,
      context,
    );
  }
  switch (path) {
    case '':
    case '/':
      return listing('instance/', 'project/', 'universe/');
    case '/instance':
    case '/instance/':
      return listing('hostname', 'id', 'service-accounts/', 'zone');
    case '/instance/id':
      return text(200, state.instanceId);
    case '/instance/hostname':
      return text(200, `emulator.c.${state.projectId}.internal`);
    case '/instance/zone':
      return text(200, `projects/${state.projectNumber}/zones/us-central1-a`);
    case '/instance/service-accounts':
    case '/instance/service-accounts/':
      return listing('default/', `${state.defaultServiceAccount.email}/`);
    case '/project':
    case '/project/':
      return listing('numeric-project-id', 'project-id');
    case '/project/project-id':
      return text(200, state.projectId);
    case '/project/numeric-project-id':
      return text(200, state.projectNumber);
    case '/universe':
    case '/universe/':
      return listing('universe-domain');
    case '/universe/universe-domain':
      return text(200, 'googleapis.com');
    default:
      return notFound();
  }
};
