import type { EndpointsOptions } from '../oauth2.options.js';
import {
  DEFAULT_MAX_CONCURRENT_TOKENINFO_CALLS,
  DEFAULT_REALM,
  DEFAULT_RECHECK_AFTER_SECONDS,
} from './endpoints.constants.js';

/** The injection token of the endpoints options, resolved once with the module's config. */
export const ENDPOINTS_OPTIONS = Symbol('nestjs-google-oauth2:endpoints-options');

/** `EndpointsOptions` checked, with defaults: what every part of `endpoints/` reads. */
export interface ResolvedEndpointsOptions {
  allowedClientIds: ReadonlySet<string>;
  allowAnyClient: boolean;
  audiences: readonly string[];
  acceptIdTokens: boolean;
  allowQueryToken: boolean;
  allowUnverifiedEmails: boolean;
  realm: string;
  /** How long a valid token's check is trusted, in ms. */
  recheckAfterMs: number;
  maxConcurrentTokenInfoCalls: number;
  callerContext: boolean;
  /** Service-account callers: their audiences, and their emails in lower case. */
  serviceAccounts?: ResolvedServiceAccounts;
  /** IAP: the assertion audiences accepted. Absent: the IAP header is never read. */
  iap?: { readonly audiences: readonly string[] };
  /** Whether ID tokens are read: `acceptIdTokens`, or service-account callers configured. */
  readsIdTokens: boolean;
  /** Whether any endpoints option was given: the app means to take callers' tokens. */
  configured: boolean;
}

/** `endpoints.serviceAccounts`, checked. */
export interface ResolvedServiceAccounts {
  readonly audiences: readonly string[];
  /** The allowed emails, in lower case. */
  readonly allowed: ReadonlySet<string>;
}

/** Checks the endpoints options at boot; a mistake is a `TypeError` naming the option. */
export function resolveEndpointsOptions(options: EndpointsOptions = {}): ResolvedEndpointsOptions {
  const allowedClientIds = stringList(options.allowedClientIds, 'allowedClientIds');
  if (allowedClientIds.includes('*')) {
    throw new TypeError(
      'OAuth2Module: "endpoints.allowedClientIds" does not take a "*" wildcard; ' +
        'set "endpoints.allowAnyClient: true" to accept tokens of any OAuth client',
    );
  }
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string' || !/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/.test(realm)) {
    throw new TypeError(
      'OAuth2Module: "endpoints.realm" must be printable ASCII without quotes or backslashes',
    );
  }
  const serviceAccounts = resolveServiceAccounts(options.serviceAccounts);
  const iap = resolveIap(options.iap);
  const acceptIdTokens = flag(options.acceptIdTokens, 'acceptIdTokens');
  return {
    allowedClientIds: new Set(allowedClientIds),
    allowAnyClient: flag(options.allowAnyClient, 'allowAnyClient'),
    audiences: stringList(options.audiences, 'audiences'),
    acceptIdTokens,
    allowQueryToken: flag(options.allowQueryToken, 'allowQueryToken'),
    allowUnverifiedEmails: flag(options.allowUnverifiedEmails, 'allowUnverifiedEmails'),
    realm,
    recheckAfterMs:
      1000 *
      count(options.recheckAfterSeconds, 'recheckAfterSeconds', DEFAULT_RECHECK_AFTER_SECONDS),
    maxConcurrentTokenInfoCalls: count(
      options.maxConcurrentTokenInfoCalls,
      'maxConcurrentTokenInfoCalls',
      DEFAULT_MAX_CONCURRENT_TOKENINFO_CALLS,
    ),
    callerContext: flag(options.callerContext, 'callerContext'),
    ...(serviceAccounts ? { serviceAccounts } : {}),
    ...(iap ? { iap } : {}),
    readsIdTokens: acceptIdTokens || serviceAccounts !== undefined,
    configured: Object.values(options).some((value) => value !== undefined),
  };
}

/** Whether tokens issued to `clientId` are accepted (`allowedClientIds`, or `allowAnyClient`). */
export function allowsClient(options: ResolvedEndpointsOptions, clientId: string): boolean {
  return options.allowAnyClient || options.allowedClientIds.has(clientId);
}

function resolveServiceAccounts(value: unknown): ResolvedServiceAccounts | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    throw new TypeError(
      'OAuth2Module: "endpoints.serviceAccounts" must be { audiences: string[], allowed: string[] }',
    );
  }
  const audiences = nonEmptyList(value.audiences, 'serviceAccounts.audiences');
  const allowed = nonEmptyList(value.allowed, 'serviceAccounts.allowed');
  for (const email of allowed) {
    if (!EMAIL.test(email)) {
      throw new TypeError(
        `OAuth2Module: "endpoints.serviceAccounts.allowed": ${JSON.stringify(email)} is not an email`,
      );
    }
  }
  return Object.freeze({
    audiences: Object.freeze(audiences),
    allowed: new Set(allowed.map((email) => email.toLowerCase())),
  });
}

function resolveIap(value: unknown): { readonly audiences: readonly string[] } | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    throw new TypeError('OAuth2Module: "endpoints.iap" must be { audiences: string[] }');
  }
  return Object.freeze({
    audiences: Object.freeze(nonEmptyList(value.audiences, 'iap.audiences')),
  });
}

/** One `@`, something on each side, no spaces: enough to catch a client id or a typo. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of at least one non-empty string: an empty one would admit nobody, silently. */
function nonEmptyList(value: unknown, name: string): string[] {
  const list = stringList(value, name);
  if (list.length === 0) {
    throw new TypeError(`OAuth2Module: "endpoints.${name}" must list at least one value`);
  }
  return list;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new TypeError(`OAuth2Module: "endpoints.${name}" must be a list of non-empty strings`);
  }
  return [...new Set(value as string[])];
}

function flag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new TypeError(`OAuth2Module: "endpoints.${name}" must be true or false`);
  }
  return value;
}

/** A whole number ≥ 1. */
function count(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`OAuth2Module: "endpoints.${name}" must be a whole number ≥ 1`);
  }
  return value;
}
