import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GoogleOAuth2Error } from 'nestjs-google-oauth2';

/**
 * Google refused or did not answer a call the app made (minting a service-account token, IAM,
 * the metadata server): that is an upstream failure, so 502 (504 on a timeout) with Google's
 * own `error` and `error_description` — not a 500. A `GoogleOAuth2Error` never holds a token.
 */
@Catch(GoogleOAuth2Error)
export class GoogleOAuth2ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('GoogleOAuth2Error');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: GoogleOAuth2Error, host: ArgumentsHost): void {
    const status = error.error === 'timeout' ? 504 : 502;
    this.logger.warn(error.message);
    const { httpAdapter } = this.adapterHost;
    httpAdapter.reply(
      host.switchToHttp().getResponse(),
      {
        statusCode: status,
        message: `Google's ${error.endpoint} endpoint ${error.status ? 'refused the request' : 'did not answer'}`,
        error: error.error,
        error_description: error.errorDescription,
      },
      status,
    );
  }
}
