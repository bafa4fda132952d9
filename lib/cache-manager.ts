/**
 * `nestjs-google-oauth2/cache-manager`: the token store on cache-manager 7 (Redis, memcached or
 * any Keyv store). A subpath of its own so that the main entry's types never name
 * `cache-manager`, an optional peer dependency: apps that do not use this store need not install it.
 *
 * @packageDocumentation
 */
export { CacheManagerTokenStore, CacheStoreError } from './stores/cache-manager-token-store.js';
export type { CacheManagerTokenStoreOptions } from './stores/cache-manager-token-store.js';
export type { RedisCommandClient } from './stores/redis-lock.js';
