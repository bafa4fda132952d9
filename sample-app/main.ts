// The sample app: `npm start` builds it to dist-sample/ and runs it on PORT (default 3000).
// A placeholder for now; it does not use the library yet.
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const port = Number.parseInt(process.env.PORT ?? '3000', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
}

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
await app.listen(port);
new Logger('SampleApp').log(`Listening on ${await app.getUrl()}`);
