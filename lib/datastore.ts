/**
 * `nestjs-google-oauth2/datastore`: the token store on Cloud Datastore (Firestore in Datastore
 * mode). A subpath of its own so that the main entry's types never name `@google-cloud/datastore`,
 * an optional peer dependency: apps that do not use this store need not install it.
 *
 * @packageDocumentation
 */
export { DatastoreTokenStore, DATASTORE_EXPIRY_PROPERTY } from './stores/datastore-token-store.js';
export type { DatastoreTokenStoreOptions } from './stores/datastore-token-store.js';
