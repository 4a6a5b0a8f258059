import { CHARLSON_CONDITIONS } from './charlson';
import {
  DEFAULT_WEIGHTS,
  QUAN_2011_EXCLUSION_PAIRS,
  QUAN_2011_WEIGHTS,
  WEIGHT_SETS,
  isWeightSet,
  quan2011ConditionFor,
} from './weights';

describe('weight sets', () => {
  it('are charlson-1987 (the default) and quan-2011', () => {
    expect(WEIGHT_SETS).toEqual(['charlson-1987', 'quan-2011']);
    expect(DEFAULT_WEIGHTS).toBe('charlson-1987');
  });

  it.each([
    ['charlson-1987', true],
    ['quan-2011', true],
    ['quan', false],
    ['Quan-2011', false],
    ['', false],
    [undefined, false],
    [2011, false],
  ])('isWeightSet(%p) is %p', (value, expected) => {
    expect(isWeightSet(value)).toBe(expected);
  });
});

describe('Quan 2011 weights', () => {
  it('are the published ones (Am J Epidemiol 2011;173:676-82, Table 3)', () => {
    expect(QUAN_2011_WEIGHTS).toEqual({
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
    });
  });

  it('cover Quan’s 17 conditions: the three malignancies become one', () => {
    const regrouped = new Set(CHARLSON_CONDITIONS.map((c) => quan2011ConditionFor(c.id)));
    expect(regrouped.size).toBe(17);
    expect([...regrouped].sort()).toEqual(Object.keys(QUAN_2011_WEIGHTS).sort());
    expect(quan2011ConditionFor('leukaemia')).toBe('any_malignancy');
    expect(quan2011ConditionFor('lymphoma')).toBe('any_malignancy');
    expect(quan2011ConditionFor('tumour')).toBe('any_malignancy');
    expect(quan2011ConditionFor('aids')).toBe('aids');
  });

  it('keep the three pairs, the severer weighing more', () => {
    expect(QUAN_2011_EXCLUSION_PAIRS.map((p) => `${p.milder}<${p.severer}`)).toEqual([
      'mild_liver_disease<moderate_severe_liver_disease',
      'diabetes<diabetes_end_organ_damage',
      'any_malignancy<metastatic_solid_tumour',
    ]);
    for (const { milder, severer } of QUAN_2011_EXCLUSION_PAIRS) {
      expect(QUAN_2011_WEIGHTS[severer]).toBeGreaterThan(QUAN_2011_WEIGHTS[milder]);
    }
  });
});
