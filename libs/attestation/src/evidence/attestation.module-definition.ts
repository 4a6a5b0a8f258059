import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface AttestationModuleOptions {
  /** Which evidence to give; `auto` picks gramine, then scone, then none (see resolveProvider). */
  provider: 'none' | 'scone' | 'gramine' | 'auto';
  /** Refuse to start unless the provider reports a TEE. */
  required?: boolean;
  /** Gramine's attestation pseudo-files; `/dev/attestation` by default. */
  dir?: string;
  /** What the SCONE runtime and the CAS policy set: SCONE_CONFIG_ID, SCONE_CAS_ADDR, SCONE_LAS_ADDR. */
  scone?: { configId?: string; casAddr?: string; lasAddr?: string };
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<AttestationModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build();
