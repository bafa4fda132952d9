import { Module } from '@nestjs/common';
import { GoogleModule } from '../google/google.module.js';
import { ServiceAccountController } from './service-account.controller.js';

/** The app's side: service-account tokens, optionally as a domain user. */
@Module({
  imports: [GoogleModule],
  controllers: [ServiceAccountController],
})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class ServiceAccountModule {}
