export * from './cas/cas-client';
export * from './evidence/attestation-provider';
export * from './evidence/fingerprints';
export * from './evidence/none-attestation.provider';
export * from './evidence/scone-attestation.provider';
export * from './evidence/gramine-attestation.provider';
export * from './evidence/create-attestation-provider';
export * from './evidence/attestation.module';
export type { AttestationModuleOptions } from './evidence/attestation.module-definition';
