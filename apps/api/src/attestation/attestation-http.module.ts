import { Module } from '@nestjs/common';
import { AttestationModule } from '@app/attestation';
import { AppConfig } from '../config/app-config';
import { AttestationController } from './attestation.controller';

/** GET /attestation, over the provider ATTESTATION_PROVIDER chooses. */
@Module({
  imports: [
    AttestationModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => config.attestation,
    }),
  ],
  controllers: [AttestationController],
})
export class AttestationHttpModule {}
