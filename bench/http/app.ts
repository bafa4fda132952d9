/**
 * The Nest app the HTTP scenarios load (bench/http/server.ts runs it in a process of its own).
 * Every route answers the same body, `{"ok":true}`; they differ in how the caller is checked:
 *
 * | route                  | what it has                                                          |
 * | ---------------------- | -------------------------------------------------------------------- |
 * | `/bare`                | nothing: the baseline                                                |
 * | `/pass`                | a guard that returns `true`: what Nest spends on any guard           |
 * | `/guarded`             | `@Scopes('email')`                                                   |
 * | `/inject`              | `@Scopes('email')` and `@InjectCredentials()`                        |
 * | `/scoped/request`      | a request-scoped controller that injects only `REQUEST`: the baseline of request scope |
 * | `/scoped/credentials`  | a controller that injects the request-scoped `EndpointsCredentials`  |
 * | `/scoped/provider`     | a controller that injects a request-scoped provider injecting only `REQUEST` |
 * | `/singleton`           | a singleton service reading `CallerCredentials` (AsyncLocalStorage)  |
 */
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Scope,
  UseGuards,
  type CanActivate,
  type DynamicModule,
} from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import {
  CallerCredentials,
  EndpointsCredentials,
  GoogleUserCredentials,
  InjectCredentials,
  OAuth2Module,
  Scopes,
} from 'nestjs-google-oauth2';
import type { GoogleOAuth2Emulator } from 'nestjs-google-oauth2/testing';

export const CLIENT_ID = '1234-bench.apps.googleusercontent.com';
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';

/** The app's routes. */
export type Route =
  | '/bare'
  | '/pass'
  | '/guarded'
  | '/inject'
  | '/scoped/request'
  | '/scoped/credentials'
  | '/scoped/provider'
  | '/singleton';

const OK = { ok: true } as const;

/** The caller must have been found: a route that answers without one measures nothing. */
function known(creds: GoogleUserCredentials | null): typeof OK {
  if (!creds?.email) throw new Error('no caller');
  return OK;
}

/** A guard that lets everything through: what any guard costs in Nest's pipeline. */
@Injectable()
class PassGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** A singleton service deep in the call graph, reaching the caller without request scope. */
@Injectable()
class CallerService {
  constructor(private readonly credentials: CallerCredentials) {}

  current(): Promise<GoogleUserCredentials | null> {
    return this.credentials.get();
  }
}

@Controller()
class SingletonRoutes {
  constructor(private readonly caller: CallerService) {}

  @Get('bare')
  bare() {
    return OK;
  }

  @Get('pass')
  @UseGuards(PassGuard)
  pass() {
    return OK;
  }

  @Get('guarded')
  @Scopes('email')
  guarded() {
    return OK;
  }

  @Get('inject')
  @Scopes('email')
  inject(@InjectCredentials() creds: GoogleUserCredentials) {
    return known(creds);
  }

  @Get('singleton')
  async singleton() {
    return known(await this.caller.current());
  }
}

/** Request scope at Nest's own price: a request-scoped controller injecting only `REQUEST`. */
@Controller({ path: 'scoped/request', scope: Scope.REQUEST })
class RequestScopedRoutes {
  constructor(@Inject(REQUEST) private readonly request: { headers?: unknown; raw?: unknown }) {}

  @Get()
  get() {
    if (!this.request) throw new Error('no request');
    return OK;
  }
}

/** The least a request-scoped provider can be: it injects only `REQUEST`. */
@Injectable({ scope: Scope.REQUEST })
class RequestHolder {
  constructor(@Inject(REQUEST) readonly request: unknown) {}
}

/**
 * A controller made request-scoped by the provider it injects, as `EndpointsCredentials`
 * makes its injectors: what one more request-scoped instance costs in Nest.
 */
@Controller('scoped/provider')
class RequestHolderRoutes {
  constructor(private readonly holder: RequestHolder) {}

  @Get()
  async get() {
    if (!this.holder.request) throw new Error('no request');
    return OK;
  }
}

/** The request-scoped `EndpointsCredentials` (which makes this controller request-scoped). */
@Controller('scoped/credentials')
class EndpointsCredentialsRoutes {
  constructor(private readonly credentials: EndpointsCredentials) {}

  @Get()
  async get() {
    return known(await this.credentials.get());
  }
}

@Module({})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
class BenchHttpModule {}

/**
 * The app: `OAuth2Module` on the emulator, accepting tokens of `CLIENT_ID`; with `callerContext`
 * on, `/singleton` works (and every request pays for the AsyncLocalStorage).
 */
export function benchHttpApp(
  emulator: GoogleOAuth2Emulator,
  options: { callerContext: boolean },
): DynamicModule {
  return {
    module: BenchHttpModule,
    imports: [
      OAuth2Module.forRoot({
        endpoints: { allowedClientIds: [CLIENT_ID], callerContext: options.callerContext },
        google: emulator.urls,
      }),
    ],
    controllers: [
      SingletonRoutes,
      RequestScopedRoutes,
      RequestHolderRoutes,
      EndpointsCredentialsRoutes,
    ],
    providers: [PassGuard, CallerService, RequestHolder],
  };
}
