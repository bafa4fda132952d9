import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OAuth2ModuleOptions } from './oauth2.options.js';

export const {
  ConfigurableModuleClass: ConfigurableOAuth2Module,
  MODULE_OPTIONS_TOKEN: OAUTH2_MODULE_OPTIONS,
  OPTIONS_TYPE: OAUTH2_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: OAUTH2_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OAuth2ModuleOptions>({ moduleName: 'OAuth2' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOAuth2Options')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
