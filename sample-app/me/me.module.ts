import { Module } from '@nestjs/common';
import { GoogleModule } from '../google/google.module.js';
import { CallerService } from './caller.service.js';
import { CredentialsController } from './credentials.controller.js';
import { MeController } from './me.controller.js';

/** The caller's side: Google tokens that callers send. */
@Module({
  imports: [GoogleModule],
  controllers: [MeController, CredentialsController],
  providers: [CallerService],
})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class MeModule {}
