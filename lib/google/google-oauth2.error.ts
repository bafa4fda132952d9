/** Which of Google's endpoints an error came from. */
export type GoogleEndpointName =
  'token' | 'tokeninfo' | 'userinfo' | 'certs' | 'iapKeys' | 'iamcredentials' | 'metadata';

/**
 * The one error type for a failed call to Google's OAuth2 machinery. `error` and
 * `errorDescription` are Google's own (`invalid_grant`, `unauthorized_client`, …) when Google
 * answered; `timeout` or `network_error` when it did not. Never carries a token or a key.
 */
export class GoogleOAuth2Error extends Error {
  override readonly name = 'GoogleOAuth2Error';

  constructor(
    readonly endpoint: GoogleEndpointName,
    readonly error: string,
    readonly errorDescription?: string,
    /** The HTTP status Google answered with; absent when no answer came. */
    readonly status?: number,
  ) {
    super(
      `Google ${endpoint} endpoint: ${error}` +
        (errorDescription ? ` (${errorDescription})` : '') +
        (status ? ` [HTTP ${status}]` : ''),
    );
  }
}
