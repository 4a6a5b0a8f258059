import {
  CHARLSON_CONDITIONS,
  EXCLUSION_PAIRS,
  SCORING_MODEL,
  agePointsFor,
  tenYearSurvival,
} from './charlson';

describe('tenYearSurvival', () => {
  // Published calculator figures (e.g. MDCalc) for S = 0.983^(e^(0.9 × CCI)), in percent.
  it.each([
    [0, '98.30'],
    [1, '95.87'],
    [2, '90.15'],
    [3, '77.48'],
    [4, '53.39'],
    [5, '21.36'],
    [6, '2.25'],
  ])('CCI %i gives %s%%', (cci, percent) => {
    expect((tenYearSurvival(cci) * 100).toFixed(2)).toBe(percent);
  });

  it('CCI 7 gives about 0.0088%', () => {
    expect((tenYearSurvival(7) * 100).toFixed(4)).toBe('0.0088');
  });

  it('is exactly the formula', () => {
    expect(tenYearSurvival(2)).toBeCloseTo(0.983 ** Math.exp(1.8), 15);
    expect(tenYearSurvival(0)).toBe(0.983);
  });

  it('decreases with the CCI and stays in [0, 1], even for absurd values', () => {
    let previous = 1;
    for (let cci = 0; cci <= 40; cci++) {
      const s = tenYearSurvival(cci);
      expect(s).toBeLessThanOrEqual(previous);
      expect(s).toBeGreaterThanOrEqual(0);
      previous = s;
    }
    expect(tenYearSurvival(1000)).toBe(0);
  });

  it.each([-1, NaN, Infinity])('rejects %p', (cci) => {
    expect(() => tenYearSurvival(cci)).toThrow(RangeError);
  });
});

describe('agePointsFor', () => {
  it.each([
    [0, 0],
    [49, 0],
    [50, 1],
    [59, 1],
    [60, 2],
    [69, 2],
    [70, 3],
    [79, 3],
    [80, 4],
    [104, 4],
    [49.99, 0],
  ])('age %p gives %i points', (age, points) => {
    expect(agePointsFor(age)).toBe(points);
  });

  it.each([-1, NaN, Infinity])('rejects %p', (age) => {
    expect(() => agePointsFor(age)).toThrow(RangeError);
  });
});

describe('the condition table', () => {
  it('has the 1987 weights', () => {
    const weights = Object.fromEntries(CHARLSON_CONDITIONS.map((c) => [c.id, c.weight]));
    expect(weights).toEqual({
      myocardial_infarction: 1,
      congestive_heart_failure: 1,
      peripheral_vascular_disease: 1,
      cerebrovascular_disease: 1,
      dementia: 1,
      chronic_pulmonary_disease: 1,
      connective_tissue_disease: 1,
      peptic_ulcer_disease: 1,
      mild_liver_disease: 1,
      diabetes: 1,
      hemiplegia: 2,
      moderate_severe_renal_disease: 2,
      diabetes_end_organ_damage: 2,
      tumour: 2,
      leukaemia: 2,
      lymphoma: 2,
      moderate_severe_liver_disease: 3,
      metastatic_solid_tumour: 6,
      aids: 6,
    });
  });

  it('pairs only liver, diabetes and tumour, the severer weighing more', () => {
    const weight = (id: string) => CHARLSON_CONDITIONS.find((c) => c.id === id)?.weight ?? NaN;
    expect(EXCLUSION_PAIRS.map((p) => `${p.milder}<${p.severer}`)).toEqual([
      'mild_liver_disease<moderate_severe_liver_disease',
      'diabetes<diabetes_end_organ_damage',
      'tumour<metastatic_solid_tumour',
    ]);
    for (const pair of EXCLUSION_PAIRS) {
      expect(weight(pair.severer)).toBeGreaterThan(weight(pair.milder));
    }
  });

  it('names the model version', () => {
    expect(SCORING_MODEL).toBe('charlson-age-adjusted@2');
  });
});
