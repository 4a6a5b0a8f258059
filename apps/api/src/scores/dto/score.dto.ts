import { ApiProperty } from '@nestjs/swagger';

/** A condition read from the free text, with the weight it contributes. */
export class MatchedConditionDto {
  /** Stable identifier of the condition. */
  @ApiProperty({ example: 'diabetes' })
  condition!: string;

  @ApiProperty({ example: 'Diabetes without end-organ damage' })
  label!: string;

  /** Charlson weight. */
  @ApiProperty({ example: 1 })
  weight!: number;

  /** The text in `preexistingconditions` that matched. */
  @ApiProperty({ example: 'diabetes' })
  matched!: string;
}

/** A patient's risk score and how it was computed. */
export class ScoreDto {
  @ApiProperty({ example: 'patient_3' })
  id!: string;

  /** Risk in [0, 1]: one minus the estimated 10-year survival. */
  @ApiProperty({ example: 0.0985, minimum: 0, maximum: 1 })
  score!: number;

  /** Scoring model and version. */
  @ApiProperty({ example: 'charlson-age-adjusted@1' })
  model!: string;

  /** Age-adjusted Charlson comorbidity index: condition weights plus age points. */
  @ApiProperty({ example: 2 })
  cci!: number;

  /** Points for age at admission (under 50: 0 ... 80 and over: 4). */
  @ApiProperty({ example: 0 })
  agePoints!: number;

  /** Age in whole years on the day of admission. */
  @ApiProperty({ example: 0 })
  ageYears!: number;

  /** Estimated 10-year survival, 0.983^(e^(0.9 × CCI)). */
  @ApiProperty({ example: 0.9015 })
  tenYearSurvival!: number;

  /** Conditions that count. */
  @ApiProperty({ type: [MatchedConditionDto] })
  conditions!: MatchedConditionDto[];

  /** Conditions found but not counted, because the more severe form of the pair was present. */
  @ApiProperty({ type: [MatchedConditionDto] })
  superseded!: MatchedConditionDto[];

  /** Terms the model does not score (e.g. hypertension), so a clinician sees what was ignored. */
  @ApiProperty({ example: ['hypertension'] })
  unrecognized!: string[];

  /** Remarks on the reading, e.g. that HIV without AIDS is not scored. */
  @ApiProperty({ example: [] })
  notes!: string[];
}
