import { Global, Logger, Module } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { SecretError, SecretSource } from '@app/secrets';
import { AppConfig } from '../config/app-config';
import { MetricsModule } from '../metrics/metrics.module';
import { EmergencyAccess } from './emergency-access';
import { TokenVerifier } from './token-verifier';

/**
 * Bearer-token authentication for every route that is not @Public(). Keys come from the
 * identity provider's JWKS URL when configured, else from the secret source.
 */
@Global()
@Module({
  imports: [MetricsModule],
  providers: [
    {
      provide: TokenVerifier,
      inject: [AppConfig, SecretSource],
      useFactory: createVerifier,
    },
    EmergencyAccess,
  ],
  exports: [TokenVerifier, EmergencyAccess],
})
export class AuthModule {}

async function createVerifier(config: AppConfig, secrets: SecretSource): Promise<TokenVerifier> {
  const { auth } = config;
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    clockSkewSeconds: auth.clockSkewSeconds,
    tokenTypes: auth.tokenTypes,
    maxTokenAgeSeconds: auth.maxTokenAgeSeconds,
    tenantClaim: auth.tenantClaim,
  };
  const logger = new Logger('Auth');
  if (auth.mode === 'none') {
    logger.warn('AUTH_MODE=none: every record is open to anyone who reaches the port (demo only)');
    return TokenVerifier.fromJwks({ keys: [] }, options);
  }
  if (auth.jwksUrl) {
    const agent = auth.jwksCaFile
      ? new Agent({ ca: await readFile(auth.jwksCaFile, 'utf8') })
      : undefined;
    return TokenVerifier.fromUrl(auth.jwksUrl, options, {
      cooldownSeconds: auth.jwksCooldownSeconds,
      timeoutMs: auth.jwksTimeoutMs,
      agent,
      onFetchFailed: (reason) =>
        logger.warn(
          `JWKS fetch failed (${reason}); tokens the cached keys cannot check get 503 until the next fetch, at most one per ${auth.jwksCooldownSeconds} s`,
        ),
    });
  }
  const jwks = await secrets.jwtVerificationKeys();
  if (!jwks) {
    throw new SecretError(
      'AUTH_MODE=jwt needs AUTH_JWKS_URL or token keys from the secret source (jwt-keys.json or jwt-public.pem)',
    );
  }
  return TokenVerifier.fromJwks(jwks as Parameters<typeof TokenVerifier.fromJwks>[0], options);
}
