import type { EmulatedUser } from '../types.js';
import { emailKey, isEmail, numericId } from './ids.js';
import type { Principal } from './principal.js';

export interface AddUserOptions {
  email: string;
  id?: string;
  emailVerified?: boolean;
  hostedDomain?: string;
  name?: string;
}

/** The Google users the emulator knows. */
export class Users {
  readonly #byEmail = new Map<string, EmulatedUser>();

  /** Adds the user, or updates the given fields of a known one; returns a copy. */
  add(options: AddUserOptions): EmulatedUser {
    if (!isEmail(options.email)) throw new TypeError(`addUser: not an email: ${options.email}`);
    const known = this.#byEmail.get(emailKey(options.email));
    const user: EmulatedUser = {
      email: known?.email ?? options.email,
      id: options.id ?? known?.id ?? numericId(21),
      emailVerified: options.emailVerified ?? known?.emailVerified ?? true,
    };
    const hostedDomain = options.hostedDomain ?? known?.hostedDomain;
    if (hostedDomain !== undefined) user.hostedDomain = hostedDomain;
    const name = options.name ?? known?.name;
    if (name !== undefined) user.name = name;
    this.#byEmail.set(emailKey(user.email), user);
    return { ...user };
  }

  find(email: string): EmulatedUser | undefined {
    return this.#byEmail.get(emailKey(email));
  }

  principal(user: EmulatedUser): Principal {
    const principal: Principal = {
      kind: 'user',
      email: user.email,
      id: user.id,
      emailVerified: user.emailVerified,
    };
    if (user.hostedDomain !== undefined) principal.hostedDomain = user.hostedDomain;
    if (user.name !== undefined) principal.name = user.name;
    return principal;
  }
}
