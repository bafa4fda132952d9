// The sample app: `npm start` builds the library and this app, and runs it on PORT (default 3000).
// With no Google credentials configured it runs against the built-in Google emulator and prints
// a demo token and curl commands to try every route. See README.md, "Try it".
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { createSampleApp } from './app.js';
import { GoogleBackend } from './google/google-backend.js';
import { sampleConfig, type SampleConfig } from './sample.config.js';
import { tryIt } from './try-it.js';

const app = await createSampleApp();
app.enableShutdownHooks();
const { port } = app.get<SampleConfig>(sampleConfig.KEY);
await app.listen(port);

const { port: actualPort } = (app.getHttpServer() as Server).address() as AddressInfo;
const logger = new Logger('SampleApp');
for (const { level, message } of tryIt(app.get(GoogleBackend), `http://localhost:${actualPort}`)) {
  logger[level](message);
}
