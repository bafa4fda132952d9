import { Module } from '@nestjs/common';
import { sampleConfig, type SampleConfig } from '../sample.config.js';
import { GoogleBackend } from './google-backend.js';

/** Provides `GoogleBackend`: the real Google, or the built-in emulator. */
@Module({
  providers: [
    {
      provide: GoogleBackend,
      inject: [sampleConfig.KEY],
      useFactory: (config: SampleConfig) => GoogleBackend.connect(config),
    },
  ],
  exports: [GoogleBackend],
})
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a decorated class
export class GoogleModule {}
