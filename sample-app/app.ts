import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/**
 * The sample app, built but not listening: `main.ts` listens on PORT; the e2e test drives it
 * in-process.
 */
export function createSampleApp(options: NestApplicationOptions = {}): Promise<INestApplication> {
  return NestFactory.create(AppModule, options);
}
