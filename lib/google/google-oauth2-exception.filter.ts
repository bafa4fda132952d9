import {
  Catch,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GoogleOAuth2Error } from './google-oauth2.error.js';

/** The body {@link GoogleOAuth2ExceptionFilter} answers with: Nest's usual error shape. */
export interface GoogleOAuth2ErrorBody {
  /** 502, 503 or 504. */
  statusCode: number;
  /** Which of Google's endpoints failed, and how (`Google's token endpoint refused the request`). */
  message: string;
  /** Google's own error code (`unauthorized_client`, `invalid_grant`, …), or `timeout`, `network_error`. */
  error: string;
}

/**
 * Opt-in exception filter that answers a {@link GoogleOAuth2Error} thrown in a handler (minting a
 * service-account token, IAM, the metadata server) as the upstream failure it is, instead of
 * Nest's 500:
 *
 * - 502 Bad Gateway: Google refused the request (a 4xx, e.g. `unauthorized_client` when
 *   domain-wide delegation is not granted) or answered with something unreadable;
 * - 503 Service Unavailable: Google could not be reached (`network_error`) or is failing (5xx,
 *   429);
 * - 504 Gateway Timeout: Google did not answer within `requestTimeoutMs`.
 *
 * The body carries Google's `error` code and which endpoint failed; Google's
 * `error_description` goes to the log (a warning, context `GoogleOAuth2ExceptionFilter`), not to
 * the caller. A `GoogleOAuth2Error` never holds a token, an assertion or a key. HTTP only (Express
 * and Fastify); in other contexts the error is thrown on unchanged.
 *
 * Register it globally (`{ provide: APP_FILTER, useClass: GoogleOAuth2ExceptionFilter }`) or per
 * controller (`@UseFilters(GoogleOAuth2ExceptionFilter)`). Subclass it to change the mapping
 * (`statusOf`) or the body (`bodyOf`).
 *
 * @publicApi
 */
@Catch(GoogleOAuth2Error)
export class GoogleOAuth2ExceptionFilter implements ExceptionFilter<GoogleOAuth2Error> {
  /** Where the filter logs what it turned into an answer. */
  protected readonly logger = new Logger('GoogleOAuth2ExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Answers the error on the HTTP response. */
  catch(error: GoogleOAuth2Error, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const status = this.statusOf(error);
    this.logger.warn(`${status}: ${error.message}`);
    const { httpAdapter } = this.adapterHost;
    httpAdapter.reply(host.switchToHttp().getResponse(), this.bodyOf(error, status), status);
  }

  /** 504 on a timeout; 503 when Google was unreachable or failing; else 502. */
  protected statusOf(error: GoogleOAuth2Error): number {
    if (error.error === 'timeout') return HttpStatus.GATEWAY_TIMEOUT;
    if (error.error === 'network_error') return HttpStatus.SERVICE_UNAVAILABLE;
    if (error.status !== undefined && (error.status >= 500 || error.status === 429)) {
      return HttpStatus.SERVICE_UNAVAILABLE;
    }
    return HttpStatus.BAD_GATEWAY;
  }

  /** The response body for the error and the status chosen for it. */
  protected bodyOf(error: GoogleOAuth2Error, status: number): GoogleOAuth2ErrorBody {
    return {
      statusCode: status,
      message: `Google's ${error.endpoint} endpoint ${GoogleOAuth2ExceptionFilter.what(error, status)}`,
      error: error.error,
    };
  }

  private static what(error: GoogleOAuth2Error, status: number): string {
    if (status === HttpStatus.GATEWAY_TIMEOUT) return 'did not answer in time';
    if (error.error === 'network_error') return 'could not be reached';
    if (status === HttpStatus.SERVICE_UNAVAILABLE) return 'is unavailable';
    return error.status !== undefined && error.status >= 400
      ? 'refused the request'
      : 'gave an answer that could not be used';
  }
}
