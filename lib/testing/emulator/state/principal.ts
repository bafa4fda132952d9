/** Who a token speaks for: a user, or a service account acting as itself. */
export interface Principal {
  kind: 'user' | 'serviceAccount';
  email: string;
  /** Numeric Google id: the `sub` claim. */
  id: string;
  emailVerified: boolean;
  hostedDomain?: string;
  name?: string;
}
