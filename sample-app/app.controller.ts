import { Controller, Get } from '@nestjs/common';

@Controller()
export class AppController {
  /** A liveness answer; the real sample routes come with the library's usage examples. */
  @Get()
  status(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
