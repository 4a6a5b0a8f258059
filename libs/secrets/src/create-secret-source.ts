import { SecretError, SecretSource } from './secret-source';
import type { SecretsModuleOptions } from './secrets.module-definition';
import { DevSecretSource } from './sources/dev-secret-source';
import { EnvSecretSource } from './sources/env-secret-source';
import { FilesSecretSource } from './sources/files-secret-source';

/** The one place that maps configuration to a SecretSource adapter. */
export async function createSecretSource(options: SecretsModuleOptions): Promise<SecretSource> {
  switch (options.source) {
    case 'files':
      if (!options.secretsDir)
        throw new SecretError('SECRETS_DIR is required for the files source');
      return new FilesSecretSource(options.secretsDir);
    case 'dev':
      return DevSecretSource.open(options.devStateDir ?? '.data');
    case 'env':
      if (!options.env) throw new SecretError('the env source needs the environment to read');
      return new EnvSecretSource(options.env);
  }
}
