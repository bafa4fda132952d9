import { Module } from '@nestjs/common';
import { ServiceToServiceController } from './service-to-service.controller.js';

/** Service-to-service identity: calling with an ID token, and being called by a service account. */
@Module({ controllers: [ServiceToServiceController] })
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class ServiceToServiceModule {}
