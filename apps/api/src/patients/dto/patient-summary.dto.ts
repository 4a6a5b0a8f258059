import { ApiProperty } from '@nestjs/swagger';

/** One patient in a listing: enough to pick the right one, nothing more. */
export class PatientSummaryDto {
  @ApiProperty({ example: 'patient_3' })
  id!: string;

  @ApiProperty({ example: 'Jane' })
  fname!: string;

  @ApiProperty({ example: 'Doe' })
  lname!: string;

  /** Risk score in [0, 1]. */
  @ApiProperty({ example: 0.0985, minimum: 0, maximum: 1 })
  score!: number;
}

/** A page of patients in id order. */
export class PatientPageDto {
  @ApiProperty({ type: [PatientSummaryDto] })
  items!: PatientSummaryDto[];

  /** Pass as `cursor` to get the next page; null on the last page. */
  @ApiProperty({ type: String, nullable: true, example: 'cDE6cGF0aWVudF8z' })
  nextCursor!: string | null;

  /**
   * Ids on this page whose stored record failed its integrity check (tampered or corrupted):
   * withheld rather than returned. Normally empty; anything here is a security incident.
   */
  @ApiProperty({ example: [] })
  withheld!: string[];
}
