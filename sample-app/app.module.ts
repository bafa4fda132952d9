import { Module } from '@nestjs/common';
import { AppController } from './app.controller.js';

@Module({ controllers: [AppController] })
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class AppModule {}
