import { ApiProperty } from '@nestjs/swagger';
import { PatientFieldsDto } from './patient-fields.dto';

/** A patient as the original answers it: the 13 fields, the id and the risk score, flat. */
export class PatientDto extends PatientFieldsDto {
  @ApiProperty({ example: 'patient_3', pattern: '^[A-Za-z0-9_.-]{1,64}$' })
  id!: string;

  /**
   * Social security number: in full only to tokens with the scope `patients:identifiers`;
   * otherwise every digit but the last four is masked (`***-**-2345`).
   */
  @ApiProperty({
    example: '123-223-2345',
    pattern: '^([0-9*]{3}-[0-9*]{2,3}-[0-9]{4}|[0-9*]{5}[0-9]{4})$',
  })
  declare ssn: string;

  /** Risk score in [0, 1]: one minus the estimated 10-year survival (see GET /score/{id}). */
  @ApiProperty({ example: 0.0985, minimum: 0, maximum: 1 })
  score!: number;
}
