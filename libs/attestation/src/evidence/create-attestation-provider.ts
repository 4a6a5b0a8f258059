import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretSource } from '@app/secrets';
import {
  AttestationError,
  AttestationProvider,
  AttestationProviderName,
} from './attestation-provider';
import type { AttestationModuleOptions } from './attestation.module-definition';
import { certificateFingerprints } from './fingerprints';
import {
  DEFAULT_ATTESTATION_DIR,
  GRAMINE_FILES,
  GramineAttestationProvider,
} from './gramine-attestation.provider';
import { NoneAttestationProvider } from './none-attestation.provider';
import { SCONE_REQUIRED_REFUSAL, SconeAttestationProvider } from './scone-attestation.provider';

/**
 * `auto`: Gramine when its attestation pseudo-files exist, else SCONE when the runtime was
 * given a CAS policy (SCONE_CONFIG_ID), else none.
 */
export async function resolveProvider(
  options: AttestationModuleOptions,
): Promise<AttestationProviderName> {
  if (options.provider !== 'auto') return options.provider;
  const dir = options.dir ?? DEFAULT_ATTESTATION_DIR;
  if (await exists(join(dir, GRAMINE_FILES.attestationType))) return 'gramine';
  if (options.scone?.configId) return 'scone';
  return 'none';
}

/**
 * The one place that maps configuration to an AttestationProvider adapter. With `required`, boot
 * stops unless the provider establishes a TEE itself: Gramine must hand over a quote over report
 * data chosen now; SCONE never can (its program has nothing to check), and says why.
 */
export async function createAttestationProvider(
  options: AttestationModuleOptions,
  secrets: SecretSource,
): Promise<AttestationProvider> {
  const fingerprints = certificateFingerprints(await secrets.apiTls());
  const name = await resolveProvider(options);
  let provider: AttestationProvider;
  switch (name) {
    case 'gramine':
      provider = new GramineAttestationProvider(
        fingerprints,
        options.dir ?? DEFAULT_ATTESTATION_DIR,
        {
          timeoutMs: options.timeoutMs,
        },
      );
      break;
    case 'scone':
      provider = new SconeAttestationProvider(fingerprints, options.scone ?? {});
      break;
    case 'none':
      provider = new NoneAttestationProvider(fingerprints);
      break;
  }
  if (options.required && name === 'scone') throw new AttestationError(SCONE_REQUIRED_REFUSAL);
  if (options.required) {
    const status = await provider.status();
    if (!status.tee) {
      throw new AttestationError(
        `ATTESTATION_REQUIRED=true, but the ${name} provider reports no TEE: ${status.statement}`,
      );
    }
  }
  return provider;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
