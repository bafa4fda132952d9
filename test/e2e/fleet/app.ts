/** Boots OAuth2Module in the test process, with a logger that keeps what the module says. */
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  OAuth2Module,
  type OAuth2ModuleOptions,
  ServiceAccountCredentialsFactory,
} from 'nestjs-google-oauth2';

export interface LogLine {
  level: 'log' | 'warn' | 'error';
  message: string;
  context: string;
}

export class CapturingLogger implements LoggerService {
  readonly lines: LogLine[] = [];
  log(message: unknown, context?: unknown): void {
    this.lines.push({ level: 'log', message: String(message), context: String(context) });
  }
  warn(message: unknown, context?: unknown): void {
    this.lines.push({ level: 'warn', message: String(message), context: String(context) });
  }
  error(message: unknown, ...rest: unknown[]): void {
    const context = String(rest.at(-1));
    this.lines.push({ level: 'error', message: String(message), context });
  }
  debug(): void {}
  verbose(): void {}

  /** What the token store guard said, at that level. */
  store(level: LogLine['level']): string[] {
    return this.lines
      .filter((line) => line.context === 'TokenStore' && line.level === level)
      .map((line) => line.message);
  }
}

export interface BootedApp {
  app: INestApplicationContext;
  factory: ServiceAccountCredentialsFactory;
  logger: CapturingLogger;
}

export async function bootApp(options: OAuth2ModuleOptions): Promise<BootedApp> {
  const logger = new CapturingLogger();
  const app = await NestFactory.createApplicationContext(
    OAuth2Module.forRoot({ endpoints: { allowedClientIds: ['test-client'] }, ...options }),
    { logger },
  );
  return { app, factory: app.get(ServiceAccountCredentialsFactory), logger };
}
