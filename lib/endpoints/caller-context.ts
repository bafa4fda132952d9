import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, Optional, type MiddlewareConsumer } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ENDPOINTS_OPTIONS, type ResolvedEndpointsOptions } from './endpoints-options.js';
import { rawRequest, type RawRequest } from './http-request.js';

/** What is used of Fastify's instance: a hook on every request, before anything else. */
interface FastifyHooks {
  addHook(
    name: 'onRequest',
    hook: (request: { raw: RawRequest }, reply: unknown, done: () => void) => void,
  ): unknown;
}

/**
 * The request being handled, wherever the code that handles it runs (`AsyncLocalStorage`), for
 * `CallerCredentials`. Set up by `OAuth2Module` for every HTTP request when
 * `endpoints.callerContext` is on: a Fastify `onRequest` hook (cheaper than a middleware
 * there), else a middleware on every route.
 */
@Injectable()
export class CallerContext {
  readonly #storage = new AsyncLocalStorage<RawRequest>();

  constructor(
    @Inject(ENDPOINTS_OPTIONS) private readonly options: ResolvedEndpointsOptions,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** Whether the context is set up for every HTTP request. */
  get enabled(): boolean {
    return this.options.callerContext;
  }

  /** The Node request that the running code handles, if any. */
  request(): RawRequest | undefined {
    return this.#storage.getStore();
  }

  /** Called by `OAuth2Module.configure`: sets the context up when the option is on. */
  install(consumer: MiddlewareConsumer): void {
    if (!this.enabled) return;
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter?.getType() === 'fastify') {
      adapter
        .getInstance<FastifyHooks>()
        .addHook('onRequest', (request, _reply, done) => this.#storage.run(request.raw, done));
      return;
    }
    consumer
      .apply((request: unknown, _response: unknown, next: () => void) => {
        const raw = rawRequest(request);
        return raw ? this.#storage.run(raw, next) : next();
      })
      .forRoutes('{*path}');
  }
}
