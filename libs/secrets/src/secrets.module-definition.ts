import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface SecretsModuleOptions {
  source: 'dev' | 'files' | 'env';
  /** Folder of secret files, for `files`. */
  secretsDir?: string;
  /** State folder of the dev source (its secrets go to `<devStateDir>/secrets`). */
  devStateDir?: string;
  /** Environment to read PEM secrets from, for `env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<SecretsModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: true }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }))
    .build();
