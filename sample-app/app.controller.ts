import { Controller, Get } from '@nestjs/common';
import { GoogleBackend } from './google/google-backend.js';

@Controller()
export class AppController {
  constructor(private readonly google: GoogleBackend) {}

  /** Liveness, and which Google the app talks to. */
  @Get()
  status(): { status: 'ok'; google: 'emulator' | 'google' } {
    return { status: 'ok', google: this.google.mode };
  }
}
