import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ICD10_CODES } from '@app/scoring';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  EARLIEST_BIRTH_YEAR,
  IsNotBefore,
  IsNotBeforeYear,
  IsNotInFuture,
  IsRecordDate,
  RECORD_DATE_PATTERN,
} from '../../common/validation/date-validators';
import { Icd10ListFromForm, IsIcd10List } from '../../common/validation/icd10-validators';

/** Printable text: no control characters (tabs and newlines included) anywhere. */
const TEXT = /^\P{Cc}*$/u;
const TEXT_MESSAGE = { message: 'must not contain control characters' };

/**
 * The 13 fields of a patient, as the original takes them: all required, all strings, stored
 * exactly as sent (quotes included); and, optionally, coded diagnoses. Sent form-encoded, as the
 * original's clients do, or as JSON.
 */
export class PatientFieldsDto {
  /** Given name. */
  @ApiProperty({ example: 'Jane' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(TEXT, TEXT_MESSAGE)
  fname!: string;

  /** Family name. */
  @ApiProperty({ example: 'Doe' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(TEXT, TEXT_MESSAGE)
  lname!: string;

  /** Street address. */
  @ApiProperty({ example: "'123 Main Street'" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(TEXT, TEXT_MESSAGE)
  address!: string;

  @ApiProperty({ example: 'Richmond' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(TEXT, TEXT_MESSAGE)
  city!: string;

  @ApiProperty({ example: 'Washington' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(TEXT, TEXT_MESSAGE)
  state!: string;

  /** Social security number: 3-2-4 (US) or 3-3-4 digits with hyphens, or 9 digits. */
  @ApiProperty({ example: '123-223-2345' })
  @IsString()
  @Matches(/^(\d{3}-\d{2,3}-\d{4}|\d{9})$/, {
    message: 'must be digits as 123-45-6789, 123-456-7890 or 123456789',
  })
  ssn!: string;

  @ApiProperty({ example: 'nr@aaa.com' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email address' })
  email!: string;

  /** Date of birth, MM/DD/YYYY (or YYYY-MM-DD); a real date, not before 1900, not in the future. */
  @ApiProperty({ example: '01/01/2010' })
  @IsString()
  @Matches(RECORD_DATE_PATTERN, { message: 'must be a date as MM/DD/YYYY or YYYY-MM-DD' })
  @IsRecordDate()
  @IsNotBeforeYear(EARLIEST_BIRTH_YEAR)
  @IsNotInFuture()
  dob!: string;

  /** Phone number: digits, spaces and + ( ) . - */
  @ApiProperty({ example: '123-234-3456' })
  @IsString()
  @Matches(/^\+?[0-9][0-9 ().-]{2,31}$/, {
    message: 'must be a phone number (digits, spaces, + ( ) . -)',
  })
  contactphone!: string;

  /** Known drug allergies, free text; may be empty. */
  @ApiProperty({ example: "'Sulpha, Penicillin, Tree Nut'" })
  @IsString()
  @MaxLength(1000)
  @Matches(TEXT, TEXT_MESSAGE)
  drugallergies!: string;

  /** Pre-existing conditions, free text (read by the risk score); may be empty. */
  @ApiProperty({ example: "'diabetes, hypertension, asthma'" })
  @IsString()
  @MaxLength(2000)
  @Matches(TEXT, TEXT_MESSAGE)
  preexistingconditions!: string;

  /**
   * Date of admission, MM/DD/YYYY (or YYYY-MM-DD); not before the date of birth, not after today
   * (today anywhere on Earth, so a clinic in any time zone can admit today).
   */
  @ApiProperty({ example: '01/05/2010' })
  @IsString()
  @Matches(RECORD_DATE_PATTERN, { message: 'must be a date as MM/DD/YYYY or YYYY-MM-DD' })
  @IsRecordDate()
  @IsNotBefore('dob', { message: 'must not be before dob' })
  @IsNotInFuture()
  dateadmitted!: string;

  /** Insurance, free text; may be empty. */
  @ApiProperty({ example: "'Primera Blue Cross'" })
  @IsString()
  @MaxLength(500)
  @Matches(TEXT, TEXT_MESSAGE)
  insurancedetails!: string;

  /**
   * Coded diagnoses, ICD-10 (`E11.9`; dots and case do not matter), at most 50, scored with
   * Quan's coding algorithm beside `preexistingconditions`. In form bodies one comma-separated
   * value (`icd10=E11.9,I21.0`). Optional: the original's 13 fields are enough. Answered sorted
   * and normalised, and only when the record has codes.
   */
  @ApiPropertyOptional({ type: [String], example: ['E11.9', 'I21.0'], maxItems: MAX_ICD10_CODES })
  @IsOptional()
  @Icd10ListFromForm()
  @IsIcd10List()
  icd10?: string[];
}

/** The original's 13 field names, in its order. */
export const PATIENT_FIELDS = [
  'fname',
  'lname',
  'address',
  'city',
  'state',
  'ssn',
  'email',
  'dob',
  'contactphone',
  'drugallergies',
  'preexistingconditions',
  'dateadmitted',
  'insurancedetails',
] as const satisfies ReadonlyArray<keyof PatientFieldsDto>;

export type PatientField = (typeof PATIENT_FIELDS)[number];

/** Every field a record may hold: what logs must never show. */
export const RECORD_FIELDS = [...PATIENT_FIELDS, 'icd10'] as const;
