import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AttestationProvider } from '@app/attestation';
import { Public } from '../auth/public.decorator';
import { ApiProblems } from '../openapi/api-responses.decorator';
import { AttestationEvidenceDto } from './dto/attestation-evidence.dto';
import { AttestationQueryDto } from './dto/attestation-query.dto';

@ApiTags('attestation')
@Public() // evidence carries no patient data; clients check it before they hold a token
@Controller('attestation')
export class AttestationController {
  constructor(private readonly attestation: AttestationProvider) {}

  /**
   * Evidence of where this service runs, bound to your nonce where the TEE allows it: the
   * provider (`none`, `scone` or `gramine`), whether the process established a TEE itself, what
   * that means in plain words, the SHA-256 fingerprints of the TLS certificate and key it serves
   * with, what it verified or produced itself (`verified`) and what it only reports from its
   * configuration (`claims`, for you to check elsewhere). Compare `apiCertificate.spkiSha256`
   * with the certificate of your connection. 503 when Gramine gives no quote within
   * ATTESTATION_TIMEOUT_MS.
   */
  @Get()
  @ApiOkResponse({ type: AttestationEvidenceDto, description: 'The evidence' })
  @ApiProblems(400, 429, 503)
  getAttestationEvidence(@Query() query: AttestationQueryDto): Promise<AttestationEvidenceDto> {
    return this.attestation.evidence(Buffer.from(query.nonce, 'hex'));
  }
}
