import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldError, Problem } from '../common/problem/problem';

/** One invalid field of a request. */
export class FieldErrorDto implements FieldError {
  /** The field, query parameter or header at fault. */
  @ApiProperty({ example: 'dob' })
  field!: string;

  @ApiProperty({ example: 'must be a real date, MM/DD/YYYY or YYYY-MM-DD' })
  message!: string;
}

/** An RFC 9457 problem document: how every error of this API is answered. */
export class ProblemDto implements Problem {
  /** A URI identifying the kind of problem; stable, for clients to switch on. */
  @ApiProperty({ example: 'urn:patient-api:problem:validation' })
  type!: string;

  /** Short summary of the kind of problem. */
  @ApiProperty({ example: 'Invalid request' })
  title!: string;

  /** The HTTP status code. */
  @ApiProperty({ example: 400 })
  status!: number;

  /** What went wrong with this request, for a human. */
  @ApiPropertyOptional({ example: 'dob: must be a real date, MM/DD/YYYY or YYYY-MM-DD' })
  detail?: string;

  /** The request path. */
  @ApiPropertyOptional({ example: '/patient/patient_3' })
  instance?: string;

  /** For 400s: every invalid field. */
  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
