import { Module } from '@nestjs/common';
import { SecretSource } from './secret-source';
import {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
  SecretsModuleOptions,
} from './secrets.module-definition';
import { createSecretSource } from './create-secret-source';

/** Provides the configured SecretSource (the port) to the whole application. */
@Module({
  providers: [
    {
      provide: SecretSource,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: SecretsModuleOptions) => createSecretSource(options),
    },
  ],
  exports: [SecretSource],
})
export class SecretsModule extends ConfigurableModuleClass {}
