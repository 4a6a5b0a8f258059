import { Module } from '@nestjs/common';
import { SecretSource } from '@app/secrets';
import { AttestationProvider } from './attestation-provider';
import {
  AttestationModuleOptions,
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
} from './attestation.module-definition';
import { createAttestationProvider } from './create-attestation-provider';

/**
 * Provides the configured AttestationProvider (the port). Needs a SecretSource in scope (the
 * global SecretsModule): evidence names the API's TLS key.
 */
@Module({
  providers: [
    {
      provide: AttestationProvider,
      inject: [MODULE_OPTIONS_TOKEN, SecretSource],
      useFactory: (options: AttestationModuleOptions, secrets: SecretSource) =>
        createAttestationProvider(options, secrets),
    },
  ],
  exports: [AttestationProvider],
})
export class AttestationModule extends ConfigurableModuleClass {}
