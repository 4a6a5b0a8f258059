import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SecretSource } from '@app/secrets';

/**
 * The secret source delivered what serving needs: the API's TLS identity and the record keys.
 * Loaded once; a failure is not remembered, so the next check tries again.
 */
@Injectable()
export class SecretsHealthIndicator {
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly secrets: SecretSource,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.indicators.check(key);
    try {
      await (this.loaded ??= this.load());
      return indicator.up();
    } catch {
      this.loaded = null;
      return indicator.down({ message: 'secrets could not be loaded' });
    }
  }

  private async load(): Promise<void> {
    await Promise.all([this.secrets.apiTls(), this.secrets.recordKeys()]);
  }
}
