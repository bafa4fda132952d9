import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  PARAMTYPES_METADATA,
  PROPERTY_DEPS_METADATA,
  SELF_DECLARED_DEPS_METADATA,
} from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { CallerCredentials } from './caller-credentials.js';
import { EndpointsCredentials } from './endpoints-credentials.js';
import { ENDPOINTS_OPTIONS, type ResolvedEndpointsOptions } from './endpoints-options.js';
import { SERVICE_ACCOUNTS_METADATA } from './endpoints.metadata.js';
import { GoogleOAuth2Guard } from './google-oauth2.guard.js';
import { CallerCheckGuard } from './inject-credentials.decorator.js';

/** How the app takes callers' tokens, as far as its modules show at boot. */
export interface EndpointsUse {
  /** A `GoogleOAuth2Guard` (`@Scopes`, `APP_GUARD`), `@InjectCredentials()`, or a class that
   * injects `EndpointsCredentials` or `CallerCredentials`. */
  takesCallersTokens: boolean;
  /** A class that injects `CallerCredentials`. */
  injectsCallerCredentials: boolean;
  /**
   * The arguments of each `@AllowServiceAccounts(...)` on the app's controllers and their
   * handlers (lower case; an empty list: any allowed account).
   */
  allowServiceAccounts: (readonly string[])[];
}

/** What an IAP assertion's `aud` looks like: a backend service's, or an App Engine app's. */
const IAP_AUDIENCE = /^\/projects\/\d+\/(?:global\/backendServices\/\d+|apps\/[^/\s]+)$/;

/**
 * The endpoints options' warnings at boot, all in one place: a setting that lets any client
 * in, or lets nobody in, a `CallerCredentials` that cannot work, or service-account and IAP
 * settings that do not fit the routes or each other. The last ones are given
 * only to an app that takes callers' tokens (endpoints options given, or the app's modules use
 * the guard, the decorator or the injectables), so an app that only mints service-account
 * tokens is not warned about callers' tokens.
 */
@Injectable()
export class EndpointsBootReport implements OnModuleInit {
  private readonly logger = new Logger('OAuth2Module');

  constructor(
    @Inject(ENDPOINTS_OPTIONS) private readonly options: ResolvedEndpointsOptions,
    private readonly modules: ModulesContainer,
  ) {}

  onModuleInit(): void {
    for (const warning of endpointsWarnings(this.options, endpointsUse(this.modules))) {
      this.logger.warn(warning);
    }
  }
}

/** The warnings for these options in an app that uses the endpoints part as `use` says. */
export function endpointsWarnings(options: ResolvedEndpointsOptions, use: EndpointsUse): string[] {
  const warnings: string[] = [];
  if (options.allowAnyClient) {
    warnings.push(
      'endpoints.allowAnyClient is on: a Google token issued to ANY OAuth client is accepted, ' +
        "including tokens a user gave to some other app. List your own clients' ids in " +
        'endpoints.allowedClientIds instead.',
    );
  }
  if (!options.configured && !use.takesCallersTokens) return warnings;
  const serviceAccounts = options.serviceAccounts;
  // A service that only takes other services' calls (or IAP's) needs no OAuth client.
  const takesOnlyServices = serviceAccounts !== undefined || options.iap !== undefined;
  if (!options.allowAnyClient && options.allowedClientIds.size === 0 && !takesOnlyServices) {
    warnings.push(
      'endpoints.allowedClientIds is empty: no access token will be accepted. ' +
        "List your OAuth clients' ids in endpoints.allowedClientIds.",
    );
  }
  if (options.acceptIdTokens && options.audiences.length === 0) {
    warnings.push(
      'endpoints.acceptIdTokens is on but endpoints.audiences is empty: no ID token will be accepted.',
    );
  }
  if (use.allowServiceAccounts.length > 0 && !serviceAccounts) {
    warnings.push(
      '@AllowServiceAccounts() is used but endpoints.serviceAccounts is not set: no service ' +
        'account will be admitted. Set endpoints.serviceAccounts: { audiences, allowed }.',
    );
  }
  if (serviceAccounts) {
    const unlisted = new Set(
      use.allowServiceAccounts.flat().filter((email) => !serviceAccounts.allowed.has(email)),
    );
    for (const email of unlisted) {
      warnings.push(
        `@AllowServiceAccounts() names ${email}, which endpoints.serviceAccounts.allowed does ` +
          'not list: its routes will fail until it is added there.',
      );
    }
    if (use.allowServiceAccounts.length === 0) {
      warnings.push(
        'endpoints.serviceAccounts is set but no route has @AllowServiceAccounts(): every ' +
          'service-account caller will get 403.',
      );
    }
    const shared = serviceAccounts.audiences.filter((aud) => options.audiences.includes(aud));
    if (shared.length > 0) {
      warnings.push(
        `endpoints.serviceAccounts.audiences and endpoints.audiences share ${shared.join(', ')}: ` +
          'an ID token for it is taken as a service account when its email is allowed, else as ' +
          "a user's. Keep this service's URLs apart from your OAuth client ids.",
      );
    }
  }
  for (const audience of options.iap?.audiences ?? []) {
    if (!IAP_AUDIENCE.test(audience)) {
      warnings.push(
        `endpoints.iap.audiences: ${audience} is not shaped like an IAP audience ` +
          '(/projects/NUMBER/global/backendServices/ID or /projects/NUMBER/apps/PROJECT): ' +
          'no assertion may carry it.',
      );
    }
  }
  if (use.injectsCallerCredentials && !options.callerContext) {
    warnings.push(
      'CallerCredentials is injected but endpoints.callerContext is off: its get() will reject. ' +
        'Set endpoints.callerContext: true.',
    );
  }
  return warnings;
}

/** What the app's modules use, read from their classes (guards, pipes, constructor params). */
export function endpointsUse(modules: ModulesContainer): EndpointsUse {
  const use: EndpointsUse = {
    takesCallersTokens: false,
    injectsCallerCredentials: false,
    allowServiceAccounts: [],
  };
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype === 'function') {
        use.allowServiceAccounts.push(...serviceAccountMetadata(metatype));
      }
    }
    const wrappers = [
      ...module.controllers.values(),
      ...module.providers.values(),
      ...module.injectables.values(),
    ];
    for (const { metatype, inject } of wrappers) {
      if (typeof metatype !== 'function') continue;
      if (
        metatype === GoogleOAuth2Guard ||
        metatype.prototype instanceof GoogleOAuth2Guard ||
        metatype === CallerCheckGuard
      ) {
        use.takesCallersTokens = true;
      }
      const dependencies = [...(inject ?? []), ...dependenciesOf(metatype)];
      if (dependencies.includes(CallerCredentials)) {
        use.takesCallersTokens = true;
        use.injectsCallerCredentials = true;
      }
      if (dependencies.includes(EndpointsCredentials)) use.takesCallersTokens = true;
    }
  }
  return use;
}

/** The `@AllowServiceAccounts` arguments on a controller and its handlers (own and inherited). */
function serviceAccountMetadata(type: { prototype: object }): (readonly string[])[] {
  const found: (readonly string[])[] = [];
  const read = (target: object) => {
    const emails = Reflect.getMetadata(SERVICE_ACCOUNTS_METADATA, target) as
      readonly string[] | undefined;
    if (emails) found.push(emails);
  };
  read(type);
  const seen = new Set<unknown>();
  for (let proto = type.prototype; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (typeof value === 'function' && name !== 'constructor' && !seen.has(value)) {
        seen.add(value);
        read(value);
      }
    }
    proto = Object.getPrototypeOf(proto) as object;
  }
  return found;
}

/** A class's declared dependencies: constructor parameters (typed or `@Inject`ed) and properties. */
function dependenciesOf(type: object): unknown[] {
  const typed = (Reflect.getMetadata(PARAMTYPES_METADATA, type) ?? []) as unknown[];
  const declared = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) ?? []) as {
    param: unknown;
  }[];
  const properties = (Reflect.getMetadata(PROPERTY_DEPS_METADATA, type) ?? []) as {
    type: unknown;
  }[];
  return [...typed, ...declared.map((d) => d.param), ...properties.map((p) => p.type)];
}
