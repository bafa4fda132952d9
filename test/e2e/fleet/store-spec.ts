/**
 * A token store described as data, so that the test process and the fleet's child processes
 * build the same store on the same server: `makeStore(spec)` gives the store and what closes it.
 */
import { Datastore } from '@google-cloud/datastore';
import { KeyvMemcache } from '@keyv/memcache';
import { createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { CacheManagerTokenStore } from 'nestjs-google-oauth2/cache-manager';
import { DatastoreTokenStore } from 'nestjs-google-oauth2/datastore';
import type { TokenStore } from 'nestjs-google-oauth2';
import { closeDatastoreClient } from '../../support/servers.js';

export type StoreSpec =
  | { kind: 'redis'; url: string; encryptionKey?: string }
  | { kind: 'memcached'; url: string; encryptionKey?: string }
  | { kind: 'datastore'; projectId: string; apiEndpoint: string; encryptionKey?: string };

export interface ManagedStore {
  store: TokenStore;
  close(): Promise<void>;
}

export function makeStore(spec: StoreSpec): ManagedStore {
  const encryption = spec.encryptionKey ? { encryptionKey: spec.encryptionKey } : {};
  switch (spec.kind) {
    case 'redis': {
      const cache = createCache({ stores: [createKeyv(spec.url)] });
      return {
        store: new CacheManagerTokenStore(cache, encryption),
        close: async () => void (await cache.disconnect()),
      };
    }
    case 'memcached': {
      const memcache = new KeyvMemcache(spec.url, { logger: { log: () => undefined } });
      const cache = createCache({ stores: [new Keyv({ store: memcache })] });
      return {
        store: new CacheManagerTokenStore(cache, encryption),
        close: async () => void (await cache.disconnect()),
      };
    }
    case 'datastore': {
      const datastore = new Datastore({
        projectId: spec.projectId,
        apiEndpoint: spec.apiEndpoint,
      });
      return {
        store: new DatastoreTokenStore(datastore, encryption),
        close: () => closeDatastoreClient(datastore),
      };
    }
  }
}
