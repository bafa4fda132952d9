import type { Provider } from '@nestjs/common';
import { GoogleHttpClient } from './google/google-http-client.js';
import { OAuth2Config, resolveOAuth2Config } from './oauth2.config.js';
import { OAUTH2_CONFIG } from './oauth2.constants.js';
import { OAUTH2_MODULE_OPTIONS } from './oauth2.module-definition.js';
import type { OAuth2ModuleOptions } from './oauth2.options.js';
import { MemoryTokenStore } from './stores/memory-token-store.js';
import { TokenStore } from './stores/token-store.js';

export const CORE_PROVIDERS: Provider[] = [
  {
    provide: OAUTH2_CONFIG,
    useFactory: (options: OAuth2ModuleOptions) => resolveOAuth2Config(options ?? {}),
    inject: [OAUTH2_MODULE_OPTIONS],
  },
  {
    provide: TokenStore,
    useFactory: (options: OAuth2ModuleOptions) => options?.tokenStore ?? new MemoryTokenStore(),
    inject: [OAUTH2_MODULE_OPTIONS],
  },
  {
    provide: GoogleHttpClient,
    useFactory: (config: OAuth2Config) => new GoogleHttpClient(config.requestTimeoutMs),
    inject: [OAUTH2_CONFIG],
  },
];
