/**
 * What several scenarios set up: the emulator (Google, in this process), the library booted as
 * an app would boot it, and google-auth-library's `JWT` pointed at the emulator.
 */
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { gaxios, JWT } from 'google-auth-library';
import { OAuth2Module, type OAuth2ModuleOptions } from 'nestjs-google-oauth2';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';
import { GOOGLE_TOKEN_URL, redirectingTransporter } from '../test/support/google-transport.js';

export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
export const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
export const CLIENT_ID = '1234-bench.apps.googleusercontent.com';

export async function startEmulator(): Promise<GoogleOAuth2Emulator> {
  return new GoogleOAuth2Emulator().start();
}

/** `OAuth2Module.forRoot(options)` in a Nest application context (no HTTP), as a script uses it. */
export function bootContext(options: OAuth2ModuleOptions): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(OAuth2Module.forRoot(options) as DynamicModule, {
    logger: ['error', 'warn'],
  });
}

/**
 * google-auth-library's `JWT` for the key (acting as `subject` when given): what an app without
 * this library writes. Its token URL is fixed to Google's, so a request interceptor sends it to
 * the emulator (as the emulator tests do). Pass one `transporter` to share its connections.
 */
export function jwtClient(
  emulator: GoogleOAuth2Emulator,
  key: ServiceAccountKeyFile,
  scopes: string[],
  transporter: gaxios.Gaxios = jwtTransporter(emulator),
  subject?: string,
): JWT {
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    scopes,
    transporter,
    ...(subject ? { subject } : {}),
  });
}

export function jwtTransporter(
  emulator: GoogleOAuth2Emulator,
): ReturnType<typeof redirectingTransporter> {
  return redirectingTransporter({ [GOOGLE_TOKEN_URL]: emulator.urls.token });
}
