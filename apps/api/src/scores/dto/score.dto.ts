import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MatchedCondition, WeightSet } from '@app/scoring';

/** A condition read from the record, with the weight it contributes. */
export class MatchedConditionDto implements MatchedCondition {
  /** Stable identifier of the condition (`any_malignancy` with the quan-2011 weights). */
  @ApiProperty({ example: 'diabetes' })
  condition!: string;

  @ApiProperty({ example: 'Diabetes without end-organ damage' })
  label!: string;

  /** The condition's weight in the weight set used (0 is possible with quan-2011). */
  @ApiProperty({ example: 1 })
  weight!: number;

  /**
   * What matched: the text in `preexistingconditions`, and the codes as `icd10:E11.9`; several
   * matches are joined with `; ` (texts first).
   */
  @ApiProperty({ example: 'diabetes' })
  matched!: string;
}

/**
 * A patient's risk score. With the scope `scores:read` alone, the score only; the explanation
 * (what was read from the record) needs `patients:read` too, as it discloses diagnoses.
 */
export class ScoreDto {
  @ApiProperty({ example: 'patient_3' })
  id!: string;

  /** Risk in [0, 1]: one minus the estimated 10-year survival; null with the quan-2011 weights. */
  @ApiProperty({ example: 0.0985, minimum: 0, maximum: 1, type: Number, nullable: true })
  score!: number | null;

  /** Scoring model and version. */
  @ApiProperty({ example: 'charlson-age-adjusted@2' })
  model!: string;

  /**
   * The weights the CCI sums: `charlson-1987` (the default, with age points and the survival
   * estimate) or `quan-2011` (Quan et al. 2011, as published: no age points, no survival).
   */
  @ApiProperty({ enum: ['charlson-1987', 'quan-2011'], example: 'charlson-1987' })
  weights!: WeightSet;

  /** Charlson comorbidity index: condition weights, plus age points with charlson-1987. */
  @ApiProperty({ example: 2 })
  cci!: number;

  /** Estimated 10-year survival, 0.983^(e^(0.9 × CCI)); null with the quan-2011 weights. */
  @ApiProperty({ example: 0.9015, type: Number, nullable: true })
  tenYearSurvival!: number | null;

  /** Explanation: points for age at admission (under 50: 0 ... 80 and over: 4); null with quan-2011. */
  @ApiPropertyOptional({ example: 0, type: Number, nullable: true })
  agePoints?: number | null;

  /** Explanation: age in whole years on the day of admission. */
  @ApiPropertyOptional({ example: 0 })
  ageYears?: number;

  /** Explanation: the coding algorithm applied to `icd10`. */
  @ApiPropertyOptional({ example: 'quan-2005-icd10' })
  icd10Mapping?: string;

  /** Explanation: the conditions that count. */
  @ApiPropertyOptional({ type: [MatchedConditionDto] })
  conditions?: MatchedConditionDto[];

  /** Explanation: conditions found but not counted, as the more severe form of the pair was present. */
  @ApiPropertyOptional({ type: [MatchedConditionDto] })
  superseded?: MatchedConditionDto[];

  /**
   * Explanation: terms the model does not score (e.g. hypertension), then codes that map to no
   * condition (`icd10:Z00.0`), so a clinician sees what was ignored.
   */
  @ApiPropertyOptional({ example: ['hypertension'] })
  unrecognized?: string[];

  /** Explanation: remarks on the reading, e.g. that HIV without AIDS is not scored. */
  @ApiPropertyOptional({ example: [] })
  notes?: string[];
}
