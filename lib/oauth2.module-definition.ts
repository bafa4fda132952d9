import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OAuth2ModuleOptions } from './oauth2.options.js';

const definition = new ConfigurableModuleBuilder<OAuth2ModuleOptions>({ moduleName: 'OAuth2' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOAuth2Options')
  .setExtras({ isGlobal: false }, (dynamicModule, extras) => ({
    ...dynamicModule,
    global: extras.isGlobal,
  }))
  .build();

/** The class `OAuth2Module` extends: `forRoot` and `forRootAsync`, from Nest's builder. */
export const ConfigurableOAuth2Module = definition.ConfigurableModuleClass;

/**
 * Injection token of the options given to `OAuth2Module.forRoot()` (or made by `forRootAsync`).
 * Tests override it to point the module at the emulator:
 * `Test.createTestingModule({ imports: [AppModule] }).overrideProvider(OAUTH2_MODULE_OPTIONS)`.
 */
export const OAUTH2_MODULE_OPTIONS = definition.MODULE_OPTIONS_TOKEN;
