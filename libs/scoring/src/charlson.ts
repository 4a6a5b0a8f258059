/**
 * The age-adjusted Charlson comorbidity index: weights from Charlson et al., J Chronic Dis
 * 1987;40(5):373-83, age points and the 10-year survival formula as in Charlson et al. 1994 and the
 * common calculators (e.g. MDCalc).
 */

/**
 * Versioned so that stored scores can be traced to the model (and recomputed if it changes).
 * @1: free text only. @2: ICD-10 codes (Quan 2005) beside the text; same scores for text alone.
 */
export const SCORING_MODEL = 'charlson-age-adjusted@2';

export type ConditionId =
  | 'myocardial_infarction'
  | 'congestive_heart_failure'
  | 'peripheral_vascular_disease'
  | 'cerebrovascular_disease'
  | 'dementia'
  | 'chronic_pulmonary_disease'
  | 'connective_tissue_disease'
  | 'peptic_ulcer_disease'
  | 'mild_liver_disease'
  | 'diabetes'
  | 'hemiplegia'
  | 'moderate_severe_renal_disease'
  | 'diabetes_end_organ_damage'
  | 'tumour'
  | 'leukaemia'
  | 'lymphoma'
  | 'moderate_severe_liver_disease'
  | 'metastatic_solid_tumour'
  | 'aids';

export interface ConditionDefinition {
  readonly id: ConditionId;
  readonly label: string;
  readonly weight: number;
}

/** The 19 Charlson conditions with their 1987 weights. */
export const CHARLSON_CONDITIONS: readonly ConditionDefinition[] = [
  { id: 'myocardial_infarction', label: 'Myocardial infarction', weight: 1 },
  { id: 'congestive_heart_failure', label: 'Congestive heart failure', weight: 1 },
  { id: 'peripheral_vascular_disease', label: 'Peripheral vascular disease', weight: 1 },
  { id: 'cerebrovascular_disease', label: 'Cerebrovascular disease (stroke, TIA)', weight: 1 },
  { id: 'dementia', label: 'Dementia', weight: 1 },
  { id: 'chronic_pulmonary_disease', label: 'Chronic pulmonary disease', weight: 1 },
  { id: 'connective_tissue_disease', label: 'Connective tissue disease', weight: 1 },
  { id: 'peptic_ulcer_disease', label: 'Peptic ulcer disease', weight: 1 },
  { id: 'mild_liver_disease', label: 'Mild liver disease', weight: 1 },
  { id: 'diabetes', label: 'Diabetes without end-organ damage', weight: 1 },
  { id: 'hemiplegia', label: 'Hemiplegia or paraplegia', weight: 2 },
  { id: 'moderate_severe_renal_disease', label: 'Moderate to severe renal disease', weight: 2 },
  { id: 'diabetes_end_organ_damage', label: 'Diabetes with end-organ damage', weight: 2 },
  { id: 'tumour', label: 'Non-metastatic solid tumour', weight: 2 },
  { id: 'leukaemia', label: 'Leukaemia', weight: 2 },
  { id: 'lymphoma', label: 'Lymphoma', weight: 2 },
  { id: 'moderate_severe_liver_disease', label: 'Moderate to severe liver disease', weight: 3 },
  { id: 'metastatic_solid_tumour', label: 'Metastatic solid tumour', weight: 6 },
  { id: 'aids', label: 'AIDS', weight: 6 },
];

export const CONDITION_BY_ID: ReadonlyMap<ConditionId, ConditionDefinition> = new Map(
  CHARLSON_CONDITIONS.map((c) => [c.id, c]),
);

/**
 * Pairs where only the more severe condition counts. Leukaemia and lymphoma are deliberately absent:
 * they add to a solid tumour.
 */
export const EXCLUSION_PAIRS: readonly { milder: ConditionId; severer: ConditionId }[] = [
  { milder: 'mild_liver_disease', severer: 'moderate_severe_liver_disease' },
  { milder: 'diabetes', severer: 'diabetes_end_organ_damage' },
  { milder: 'tumour', severer: 'metastatic_solid_tumour' },
];

/** Points for age at admission: <50: 0, 50-59: 1, 60-69: 2, 70-79: 3, >=80: 4. */
export function agePointsFor(ageYears: number): number {
  if (!Number.isFinite(ageYears) || ageYears < 0) {
    throw new RangeError(`agePointsFor: age must be a finite number >= 0, got ${ageYears}`);
  }
  if (ageYears >= 80) return 4;
  if (ageYears >= 70) return 3;
  if (ageYears >= 60) return 2;
  if (ageYears >= 50) return 1;
  return 0;
}

const BASELINE_SURVIVAL = 0.983;
const CCI_COEFFICIENT = 0.9;

/** Estimated 10-year survival S = 0.983^(e^(0.9 × CCI)), in [0, 1]. */
export function tenYearSurvival(cci: number): number {
  if (!Number.isFinite(cci) || cci < 0) {
    throw new RangeError(`tenYearSurvival: CCI must be a finite number >= 0, got ${cci}`);
  }
  // e^(0.9 × CCI) overflows to Infinity beyond CCI ≈ 788, and 0.983^Infinity is 0: still in range.
  return BASELINE_SURVIVAL ** Math.exp(CCI_COEFFICIENT * cci);
}
