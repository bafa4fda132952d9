import type { Provider } from '@nestjs/common';

/** The providers of the endpoints part (callers' tokens), registered by `OAuth2Module`. */
export const ENDPOINTS_PROVIDERS: Provider[] = [];

/** What the endpoints part makes injectable in the importing module. */
export const ENDPOINTS_EXPORTS: NonNullable<Provider>[] = [];
