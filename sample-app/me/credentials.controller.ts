import { Controller, Get } from '@nestjs/common';
import { CallerService, type CallerInfo } from './caller.service.js';

/** Request-scoped, because `CallerService` is. No guard: a caller without a token is answered too. */
@Controller('me/credentials')
export class CredentialsController {
  constructor(private readonly caller: CallerService) {}

  /**
   * `{ authenticated: true, credentials }` — `GoogleUserCredentials` serializes without its
   * token — or `{ authenticated: false }`.
   */
  @Get()
  credentials(): Promise<CallerInfo> {
    return this.caller.whoIsCalling();
  }
}
