import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface AttestationModuleOptions {
  /** Which evidence to give; `auto` picks gramine, then scone, then none (see resolveProvider). */
  provider: 'none' | 'scone' | 'gramine' | 'auto';
  /**
   * Refuse to start unless the provider establishes a TEE itself (Gramine: a quote at boot).
   * Never met under SCONE, whose program has nothing to check (see SCONE_REQUIRED_REFUSAL).
   */
  required?: boolean;
  /** Gramine's attestation pseudo-files; `/dev/attestation` by default. */
  dir?: string;
  /** How long one evidence request may wait for Gramine (ATTESTATION_TIMEOUT_MS); 5000 ms. */
  timeoutMs?: number;
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
