/**
 * The weight sets a score can be computed with.
 *
 * - `charlson-1987`: Charlson et al. 1987 weights over the 19 conditions of `charlson.ts`, plus age
 *   points and the 10-year survival (the default, and the score stored with a record).
 * - `quan-2011`: the updated weights of Quan H, Li B, Couris CM, et al. Updating and validating the
 *   Charlson comorbidity index and score for risk adjustment in hospital discharge abstracts using
 *   data from 6 countries. Am J Epidemiol 2011;173(6):676-82 (Table 3). Quan's 17 conditions: solid
 *   tumour, leukaemia and lymphoma are one condition, "any malignancy". As published, no age points
 *   and no survival estimate.
 */
import type { ConditionId } from './charlson';

export const WEIGHT_SETS = ['charlson-1987', 'quan-2011'] as const;
export type WeightSet = (typeof WEIGHT_SETS)[number];
export const DEFAULT_WEIGHTS: WeightSet = 'charlson-1987';

export function isWeightSet(value: unknown): value is WeightSet {
  return typeof value === 'string' && (WEIGHT_SETS as readonly string[]).includes(value);
}

type Malignancy = 'tumour' | 'leukaemia' | 'lymphoma';
export type Quan2011ConditionId = Exclude<ConditionId, Malignancy> | 'any_malignancy';

export const ANY_MALIGNANCY_LABEL = 'Any malignancy, including leukaemia and lymphoma';

/** Quan et al. 2011, Table 3. A weight of 0: the condition is found and reported, but adds nothing. */
export const QUAN_2011_WEIGHTS: Readonly<Record<Quan2011ConditionId, number>> = {
  myocardial_infarction: 0,
  congestive_heart_failure: 2,
  peripheral_vascular_disease: 0,
  cerebrovascular_disease: 0,
  dementia: 2,
  chronic_pulmonary_disease: 1,
  connective_tissue_disease: 1,
  peptic_ulcer_disease: 0,
  mild_liver_disease: 2,
  diabetes: 0,
  diabetes_end_organ_damage: 1,
  hemiplegia: 2,
  moderate_severe_renal_disease: 1,
  any_malignancy: 2,
  moderate_severe_liver_disease: 4,
  metastatic_solid_tumour: 6,
  aids: 4,
};

/**
 * The hierarchy under Quan's 17 conditions: as in `EXCLUSION_PAIRS`, but the whole of "any
 * malignancy" (leukaemia and lymphoma included) gives way to a metastatic solid tumour.
 */
export const QUAN_2011_EXCLUSION_PAIRS: readonly {
  milder: Quan2011ConditionId;
  severer: Quan2011ConditionId;
}[] = [
  { milder: 'mild_liver_disease', severer: 'moderate_severe_liver_disease' },
  { milder: 'diabetes', severer: 'diabetes_end_organ_damage' },
  { milder: 'any_malignancy', severer: 'metastatic_solid_tumour' },
];

export function quan2011ConditionFor(id: ConditionId): Quan2011ConditionId {
  return id === 'tumour' || id === 'leukaemia' || id === 'lymphoma' ? 'any_malignancy' : id;
}
