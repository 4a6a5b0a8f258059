import { type ScoreInput, scorePatient } from './score';

// Expected values are worked out by hand from Quan 2005's code lists and the published weights:
// Charlson 1987 (plus age points) by default, Quan 2011 on request.

/** Admitted on the 40th birthday: no age points. */
const at40 = (preexistingconditions: string, icd10?: readonly string[]): ScoreInput => ({
  dob: '01/01/1980',
  dateadmitted: '01/01/2020',
  preexistingconditions,
  ...(icd10 === undefined ? {} : { icd10 }),
});

const survival = (cci: number) => 0.983 ** Math.exp(0.9 * cci);
const ids = (list: { condition: string }[]) => list.map((c) => c.condition);
const summary = (list: { condition: string; weight: number; matched: string }[]) =>
  list.map((c) => `${c.condition}:${c.weight}:${c.matched}`);

describe('codes beside the text (Charlson 1987 weights)', () => {
  it('scores codes alone', () => {
    // MI 1 + diabetes 1 + chronic pulmonary 1 = 3
    const r = scorePatient(at40('', ['I21.0', 'E11.9', 'J44.9']));
    expect(r.weights).toBe('charlson-1987');
    expect(r.icd10Mapping).toBe('quan-2005-icd10');
    expect(r.cci).toBe(3);
    expect(r.tenYearSurvival).toBe(survival(3));
    expect(r.score).toBe(1 - survival(3));
    expect(summary(r.conditions)).toEqual([
      'chronic_pulmonary_disease:1:icd10:J44.9',
      'diabetes:1:icd10:E11.9',
      'myocardial_infarction:1:icd10:I21.0',
    ]);
    expect(r.unrecognized).toEqual([]);
  });

  it('adds age points as for text', () => {
    // 72 y (3) + CHF 1 + dementia 1 = 5
    const r = scorePatient({
      dob: '1948-03-10',
      dateadmitted: '2020-11-01',
      preexistingconditions: '',
      icd10: ['I50.9', 'F03'],
    });
    expect(r.agePoints).toBe(3);
    expect(r.cci).toBe(5);
  });

  it('counts a condition named by a code and by the text once, naming both', () => {
    const r = scorePatient(at40('diabetes, asthma', ['E11.9', 'e119', 'E11.8']));
    // diabetes 1 + chronic pulmonary 1 = 2
    expect(r.cci).toBe(2);
    expect(summary(r.conditions)).toEqual([
      'chronic_pulmonary_disease:1:asthma',
      'diabetes:1:diabetes; icd10:E11.8; icd10:E11.9',
    ]);
  });

  it('is today’s score for the same condition by text or by code', () => {
    const byText = scorePatient(at40('CHF, COPD, T2DM'));
    const byCode = scorePatient(at40('', ['I50.0', 'J44.1', 'E11.9']));
    expect(byCode.cci).toBe(byText.cci);
    expect(ids(byCode.conditions)).toEqual(ids(byText.conditions));
  });

  it('lists codes that map to nothing as unrecognised, after the text', () => {
    const r = scorePatient(at40('hypertension', ['Z00.0', 'i10', 'I25.1', 'I25.2']));
    expect(r.cci).toBe(1);
    expect(ids(r.conditions)).toEqual(['myocardial_infarction']);
    expect(r.unrecognized).toEqual(['hypertension', 'icd10:I10', 'icd10:I25.1', 'icd10:Z00.0']);
  });

  it('an empty code list is no codes', () => {
    expect(scorePatient(at40('asthma', []))).toEqual(scorePatient(at40('asthma')));
  });

  describe('the pairs, from codes alone', () => {
    it('mild (K70.3) + moderate-severe liver disease (K72.1) counts 3 only', () => {
      const r = scorePatient(at40('', ['K70.3', 'K72.1']));
      expect(r.cci).toBe(3);
      expect(summary(r.conditions)).toEqual(['moderate_severe_liver_disease:3:icd10:K72.1']);
      expect(summary(r.superseded)).toEqual(['mild_liver_disease:1:icd10:K70.3']);
    });

    it('diabetes (E11.9) + diabetes with complications (E11.2) counts 2 only', () => {
      const r = scorePatient(at40('', ['E11.9', 'E11.2']));
      expect(r.cci).toBe(2);
      expect(summary(r.conditions)).toEqual(['diabetes_end_organ_damage:2:icd10:E11.2']);
      expect(summary(r.superseded)).toEqual(['diabetes:1:icd10:E11.9']);
    });

    it('solid tumour (C50.9) + metastatic solid tumour (C78.0) counts 6 only', () => {
      const r = scorePatient(at40('', ['C50.9', 'C78.0']));
      expect(r.cci).toBe(6);
      expect(summary(r.conditions)).toEqual(['metastatic_solid_tumour:6:icd10:C78.0']);
      expect(summary(r.superseded)).toEqual(['tumour:2:icd10:C50.9']);
    });

    it('leukaemia (C91.1) and lymphoma (C83.3) add to a metastatic tumour (C78.0), as in 1987', () => {
      // leukaemia 2 + lymphoma 2 + metastatic 6 = 10
      const r = scorePatient(at40('', ['C91.1', 'C83.3', 'C78.0']));
      expect(r.cci).toBe(10);
      expect(r.superseded).toEqual([]);
    });
  });

  describe('the pairs, across code and text', () => {
    it.each([
      // [text, codes, CCI, counted (condition:weight:matched), superseded]
      [
        'hepatitis C',
        ['I85.0'],
        3,
        ['moderate_severe_liver_disease:3:icd10:I85.0'],
        ['mild_liver_disease:1:hepatitis C'],
      ],
      [
        'hepatic failure',
        ['K70.3'],
        3,
        ['moderate_severe_liver_disease:3:hepatic failure'],
        ['mild_liver_disease:1:icd10:K70.3'],
      ],
      [
        'diabetes',
        ['E10.3'],
        2,
        ['diabetes_end_organ_damage:2:icd10:E10.3'],
        ['diabetes:1:diabetes'],
      ],
      [
        'diabetic nephropathy',
        ['E11.9'],
        2,
        ['diabetes_end_organ_damage:2:diabetic nephropathy'],
        ['diabetes:1:icd10:E11.9'],
      ],
      [
        'breast cancer',
        ['C79.5'],
        6,
        ['metastatic_solid_tumour:6:icd10:C79.5'],
        ['tumour:2:breast cancer'],
      ],
      [
        'metastases',
        ['C50.9'],
        6,
        ['metastatic_solid_tumour:6:metastases'],
        ['tumour:2:icd10:C50.9'],
      ],
    ])('%j + %j: CCI %i', (text, codes, cci, counted, superseded) => {
      const r = scorePatient(at40(text, codes));
      expect(r.cci).toBe(cci);
      expect(summary(r.conditions)).toEqual(counted);
      expect(summary(r.superseded)).toEqual(superseded);
    });

    it('the severer named by both counts once, the milder is superseded', () => {
      const r = scorePatient(at40('diabetes, diabetic retinopathy', ['E11.3', 'E11.9']));
      expect(r.cci).toBe(2);
      expect(summary(r.conditions)).toEqual([
        'diabetes_end_organ_damage:2:diabetic retinopathy; icd10:E11.3',
      ]);
      expect(summary(r.superseded)).toEqual(['diabetes:1:diabetes; icd10:E11.9']);
    });
  });

  describe('notes', () => {
    it('no HIV note once a code counts AIDS/HIV', () => {
      expect(scorePatient(at40('HIV')).notes).toHaveLength(1);
      const r = scorePatient(at40('HIV', ['B24']));
      expect(r.cci).toBe(6);
      expect(r.notes).toEqual([]);
    });

    it('no unstaged-CKD note once a code counts renal disease', () => {
      const r = scorePatient(at40('CKD', ['N18.3']));
      expect(r.cci).toBe(2);
      expect(r.notes).toEqual([]);
    });

    it('no diet-controlled note once a code counts diabetes', () => {
      expect(scorePatient(at40('diet-controlled diabetes')).notes).toHaveLength(1);
      const r = scorePatient(at40('diet-controlled diabetes', ['E11.9']));
      expect(summary(r.conditions)).toEqual(['diabetes:1:icd10:E11.9']);
      expect(r.notes).toEqual([]);
    });

    it('a negated term stays a note even if a code names the condition', () => {
      const r = scorePatient(at40('no diabetes', ['E11.9']));
      expect(r.cci).toBe(1);
      expect(r.notes).toEqual(['Negated, not scored: "diabetes" in "no diabetes"']);
    });
  });

  it('every code appears exactly once in the explanation', () => {
    const codes = ['I21.9', 'E11.9', 'E11.2', 'C50.9', 'C78.0', 'Z00.0', 'K70.3', 'K72.1', 'N18.5'];
    const r = scorePatient(at40('', codes));
    const seen = [...r.conditions, ...r.superseded]
      .flatMap((c) => c.matched.split('; '))
      .concat(r.unrecognized)
      .sort();
    expect(seen).toEqual(codes.map((c) => `icd10:${c}`).sort());
  });
});

describe('Quan 2011 weights', () => {
  const quan = (input: ScoreInput) => scorePatient(input, { weights: 'quan-2011' });

  it('has no age points and no survival estimate', () => {
    // 85 y, yet no age points; chronic pulmonary 1 + diabetes 0 = 1
    const r = quan({
      dob: '01/01/1935',
      dateadmitted: '01/01/2020',
      preexistingconditions: "'diabetes, hypertension, asthma'",
    });
    expect(r).toEqual({
      model: 'charlson-age-adjusted@2',
      weights: 'quan-2011',
      icd10Mapping: 'quan-2005-icd10',
      score: null,
      tenYearSurvival: null,
      cci: 1,
      agePoints: null,
      ageYears: 85,
      conditions: [
        {
          condition: 'chronic_pulmonary_disease',
          label: 'Chronic pulmonary disease',
          weight: 1,
          matched: 'asthma',
        },
        {
          condition: 'diabetes',
          label: 'Diabetes without end-organ damage',
          weight: 0,
          matched: 'diabetes',
        },
      ],
      superseded: [],
      unrecognized: ['hypertension'],
      notes: [],
    });
  });

  it('sums the updated weights of every condition, zero weights included', () => {
    const codes = [
      'I21.9', // MI 0
      'I50.0', // CHF 2
      'I70.2', // PVD 0
      'I63.9', // cerebrovascular 0
      'F03', // dementia 2
      'J45.9', // chronic pulmonary 1
      'M05.9', // rheumatic 1
      'K25.9', // peptic ulcer 0
      'B18.2', // mild liver 2
      'E11.4', // diabetes with complications 1
      'G81.9', // hemiplegia 2
      'N18.5', // renal 1
      'C61', // any malignancy 2
      'B20', // AIDS/HIV 4
    ];
    const input = at40('', codes);
    // 2 + 2 + 1 + 1 + 2 + 1 + 2 + 1 + 2 + 4 = 18
    const r = quan(input);
    expect(r.cci).toBe(18);
    expect(r.conditions).toHaveLength(14);
    expect(r.conditions.filter((c) => c.weight === 0).map((c) => c.condition)).toEqual([
      'cerebrovascular_disease',
      'myocardial_infarction',
      'peptic_ulcer_disease',
      'peripheral_vascular_disease',
    ]);
    expect(r.conditions.find((c) => c.condition === 'any_malignancy')).toEqual({
      condition: 'any_malignancy',
      label: 'Any malignancy, including leukaemia and lymphoma',
      weight: 2,
      matched: 'icd10:C61',
    });
    // The same codes with the 1987 weights: MI 1, CHF 1, PVD 1, CVD 1, dementia 1, COPD 1, RA 1,
    // PUD 1, mild liver 1, complicated diabetes 2, hemiplegia 2, renal 2, tumour 2, AIDS 6 = 23.
    expect(scorePatient(input).cci).toBe(23);
  });

  it('reaches the published maximum of 24 with every condition coded', () => {
    const every = ['I21', 'I50', 'I70', 'I63', 'F03', 'J44', 'M05', 'K25', 'B18', 'E11.9'];
    const more = ['E11.2', 'G81', 'N18', 'C50', 'C91', 'C83', 'K72.1', 'C78', 'B20'];
    const r = quan(at40('', [...every, ...more]));
    // CHF 2 + dementia 2 + COPD 1 + rheumatic 1 + moderate/severe liver 4 + complicated diabetes 1
    // + hemiplegia 2 + renal 1 + metastatic 6 + AIDS/HIV 4 = 24
    expect(r.cci).toBe(24);
    expect(ids(r.superseded)).toEqual(['any_malignancy', 'mild_liver_disease', 'diabetes']);
  });

  describe('the pairs', () => {
    it('liver from codes: 4, mild (2) superseded', () => {
      const r = quan(at40('', ['K70.3', 'K72.1']));
      expect(r.cci).toBe(4);
      expect(summary(r.superseded)).toEqual(['mild_liver_disease:2:icd10:K70.3']);
    });

    it('liver from code + text: 4', () => {
      expect(quan(at40('chronic hepatitis C', ['K72.9'])).cci).toBe(4);
      expect(quan(at40('hepatic encephalopathy', ['B18.2'])).cci).toBe(4);
    });

    it('diabetes from codes: 1, uncomplicated (0) superseded', () => {
      const r = quan(at40('', ['E11.9', 'E11.2']));
      expect(r.cci).toBe(1);
      expect(summary(r.conditions)).toEqual(['diabetes_end_organ_damage:1:icd10:E11.2']);
      expect(summary(r.superseded)).toEqual(['diabetes:0:icd10:E11.9']);
    });

    it('diabetes from code + text: 1', () => {
      expect(quan(at40('diabetes', ['E10.5'])).cci).toBe(1);
      expect(quan(at40('diabetic neuropathy', ['E10.9'])).cci).toBe(1);
    });

    it('any malignancy, leukaemia and lymphoma included, gives way to a metastatic tumour', () => {
      const r = quan(at40('', ['C91.1', 'C83.3', 'C78.0']));
      expect(r.cci).toBe(6);
      expect(summary(r.conditions)).toEqual(['metastatic_solid_tumour:6:icd10:C78.0']);
      expect(summary(r.superseded)).toEqual(['any_malignancy:2:icd10:C83.3; icd10:C91.1']);
    });

    it('malignancy from code + text: 6', () => {
      expect(quan(at40('lung cancer', ['C79.3'])).cci).toBe(6);
      const r = quan(at40('metastatic disease, lymphoma', ['C92.0']));
      expect(r.cci).toBe(6);
      expect(summary(r.superseded)).toEqual(['any_malignancy:2:lymphoma; icd10:C92.0']);
    });

    it('leukaemia, lymphoma and a solid tumour count once as any malignancy', () => {
      // 1987: tumour 2 + leukaemia 2 + lymphoma 2 = 6; Quan 2011: any malignancy 2.
      const input = at40('leukaemia, breast cancer', ['C83.3', 'C91.1']);
      expect(scorePatient(input).cci).toBe(6);
      const r = quan(input);
      expect(r.cci).toBe(2);
      expect(summary(r.conditions)).toEqual([
        'any_malignancy:2:breast cancer; leukaemia; icd10:C83.3; icd10:C91.1',
      ]);
    });
  });
});

describe('options and invalid codes', () => {
  it('charlson-1987 is the default', () => {
    const input = at40('CHF', ['E11.9']);
    expect(scorePatient(input, { weights: 'charlson-1987' })).toEqual(scorePatient(input));
    expect(scorePatient(input, {})).toEqual(scorePatient(input));
  });

  it('refuses unknown weights', () => {
    const options = { weights: 'quan' } as unknown as { weights: 'quan-2011' };
    expect(() => scorePatient(at40(''), options)).toThrow(
      new RangeError('scorePatient: weights must be charlson-1987 or quan-2011'),
    );
  });

  it('names the position of a malformed code, never the code', () => {
    expect(() => scorePatient(at40('', ['E11.9', 'HIV+']))).toThrow(
      new RangeError('scorePatient: icd10[1] is not an ICD-10 code'),
    );
  });

  it('refuses more than 50 codes', () => {
    const codes = Array.from({ length: 51 }, (_, i) => `C${String(i).padStart(2, '0')}`);
    expect(() => scorePatient(at40('', codes))).toThrow(
      new RangeError('scorePatient: icd10 has more than 50 codes'),
    );
    expect(scorePatient(at40('', codes.slice(0, 50))).conditions.length).toBeGreaterThan(0);
  });

  it('refuses codes that are not an array', () => {
    const input = { ...at40(''), icd10: 'E11.9' } as unknown as ScoreInput;
    expect(() => scorePatient(input)).toThrow(
      new TypeError('scorePatient: icd10 must be an array of strings'),
    );
  });
});
