import { type ScoreExplanation, scorePatient } from './score';

const score = (
  dob: string,
  dateadmitted: string,
  preexistingconditions: string,
): ScoreExplanation => scorePatient({ dob, dateadmitted, preexistingconditions });

const ids = (list: { condition: string }[]): string[] => list.map((c) => c.condition);

describe('the seed example', () => {
  it('scores diabetes + asthma at CCI 2, hypertension unrecognised', () => {
    const result = score('01/01/2010', '01/05/2010', "'diabetes, hypertension, asthma'");
    expect(result).toEqual({
      model: 'charlson-age-adjusted@2',
      weights: 'charlson-1987',
      icd10Mapping: 'quan-2005-icd10',
      score: 1 - 0.983 ** Math.exp(1.8),
      tenYearSurvival: 0.983 ** Math.exp(1.8),
      cci: 2,
      agePoints: 0,
      ageYears: 0,
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
          weight: 1,
          matched: 'diabetes',
        },
      ],
      superseded: [],
      unrecognized: ['hypertension'],
      notes: [],
    });
    expect(result.score.toFixed(4)).toBe('0.0985');
  });
});

describe('worked cases (CCI by hand from the 1987 weights + age points)', () => {
  it.each([
    // [dob, admitted, conditions, expected age, expected CCI, counted ids]
    // 65 y (2) + CHF 1 + COPD 1 + diabetes 1 = 5
    [
      '06/01/1950',
      '06/02/2015',
      'CHF, COPD, T2DM',
      65,
      5,
      ['chronic_pulmonary_disease', 'congestive_heart_failure', 'diabetes'],
    ],
    // 72 y (3) + MI 1 + PVD 1 + CVA 1 = 6
    [
      '1948-03-10',
      '2020-11-01',
      'prior MI; PVD; CVA',
      72,
      6,
      ['cerebrovascular_disease', 'myocardial_infarction', 'peripheral_vascular_disease'],
    ],
    // 55 y (1) + metastatic 6 (tumour not added) + severe liver 3 (mild not added) = 10
    [
      '1965-01-01',
      '2020-06-15',
      'metastatic colon cancer, cirrhosis with portal hypertension, cirrhosis',
      55,
      10,
      ['metastatic_solid_tumour', 'moderate_severe_liver_disease'],
    ],
    // 39 y (0) + AIDS 6 + lymphoma 2 + hepatitis C 1 = 9
    [
      '1980-05-05',
      '2020-05-04',
      'AIDS, lymphoma, hep C',
      39,
      9,
      ['aids', 'lymphoma', 'mild_liver_disease'],
    ],
    // 81 y (4) + renal 2 + diabetic retinopathy 2 + hemiplegia 2 = 10
    [
      '01/01/1939',
      '01/01/2020',
      'ESRD on dialysis, diabetic retinopathy, hemiplegia',
      81,
      10,
      ['diabetes_end_organ_damage', 'hemiplegia', 'moderate_severe_renal_disease'],
    ],
    // 49 y, the day before the 50th birthday (0) + dementia 1 + RA 1 + PUD 1 + asthma 1 = 4
    [
      '03/15/1970',
      '03/14/2020',
      'dementia, rheumatoid arthritis, PUD, asthma',
      49,
      4,
      [
        'chronic_pulmonary_disease',
        'connective_tissue_disease',
        'dementia',
        'peptic_ulcer_disease',
      ],
    ],
    // 60 y on the birthday (2) + CLL 2 + breast cancer 2 + COPD 1 = 7
    [
      '07/01/1960',
      '07/01/2020',
      'CLL, breast cancer, COPD',
      60,
      7,
      ['leukaemia', 'tumour', 'chronic_pulmonary_disease'],
    ],
    // 30 y (0) + heart failure 1; negated diabetes and stroke, hypertension unscored = 1
    [
      '02/02/1990',
      '02/02/2020',
      'no diabetes, denies stroke, heart failure, hypertension',
      30,
      1,
      ['congestive_heart_failure'],
    ],
    // 44 y (0) + diabetic nephropathy 2 (diabetes not added) + CKD 4 renal 2 = 4
    [
      '08/20/1975',
      '08/19/2020',
      'Type 1 diabetes, diabetic nephropathy, CKD stage 4, retinopathy',
      44,
      4,
      ['diabetes_end_organ_damage', 'moderate_severe_renal_disease'],
    ],
    // 34 y (0) + hepatitis B 1 + leukaemia 2; HIV alone 0 = 3
    [
      '12/31/1985',
      '12/30/2020',
      'HIV, hepatitis B, leukaemia',
      34,
      3,
      ['leukaemia', 'mild_liver_disease'],
    ],
    // 70 y (3) + chronic pulmonary disease once 1 = 4
    [
      '10/10/1950',
      '10/10/2020',
      'emphysema, chronic bronchitis, asthma',
      70,
      4,
      ['chronic_pulmonary_disease'],
    ],
    // 62 y (2) + AML 2 + NHL 2 + stage IV lung cancer 6 + paraplegia 2 = 14
    [
      '04/01/1958',
      '05/01/2020',
      'AML, non-Hodgkin lymphoma, stage IV lung cancer, paraplegia',
      62,
      14,
      ['metastatic_solid_tumour', 'hemiplegia', 'leukaemia', 'lymphoma'],
    ],
    // 78 y (3) + dementia 1 + TIA 1 + PAD 1 + PUD 1 + SLE 1 = 8
    [
      '1945-09-09',
      '2024-09-08',
      "Alzheimer's disease; TIA; peripheral arterial disease; PUD; SLE",
      78,
      8,
      [
        'cerebrovascular_disease',
        'connective_tissue_disease',
        'dementia',
        'peptic_ulcer_disease',
        'peripheral_vascular_disease',
      ],
    ],
    // 69 y: 29 Feb birthday not yet reached on 28 Feb 2022 (2) + MI 1 + CHF 1 = 4
    [
      '02/29/1952',
      '02/28/2022',
      'MI, CHF',
      69,
      4,
      ['congestive_heart_failure', 'myocardial_infarction'],
    ],
    // 70 y on 1 March 2022 (3) + MI 1 + CHF 1 = 5
    [
      '02/29/1952',
      '03/01/2022',
      'MI, CHF',
      70,
      5,
      ['congestive_heart_failure', 'myocardial_infarction'],
    ],
  ])('%s → %s: %j', (dob, admitted, text, age, cci, conditionIds) => {
    const result = score(dob, admitted, text);
    expect(result.ageYears).toBe(age);
    expect(result.cci).toBe(cci);
    expect(ids(result.conditions)).toEqual(conditionIds);
    expect(result.tenYearSurvival).toBe(0.983 ** Math.exp(0.9 * cci));
    expect(result.score).toBe(1 - 0.983 ** Math.exp(0.9 * cci));
  });

  it('reports what it superseded and what it did not know', () => {
    const result = score(
      '1965-01-01',
      '2020-06-15',
      'metastatic colon cancer, cirrhosis with portal hypertension, cirrhosis, hyperlipidaemia',
    );
    expect(result.superseded).toEqual([
      {
        condition: 'mild_liver_disease',
        label: 'Mild liver disease',
        weight: 1,
        matched: 'cirrhosis',
      },
    ]);
    expect(result.unrecognized).toEqual(['hyperlipidaemia']);
  });
});

describe('exclusion pairs', () => {
  const at40 = (text: string) => score('01/01/1980', '01/01/2020', text);

  it('mild + moderate-severe liver disease counts 3 only', () => {
    const r = at40('chronic hepatitis C, hepatic failure');
    expect(r.cci).toBe(3);
    expect(ids(r.conditions)).toEqual(['moderate_severe_liver_disease']);
    expect(ids(r.superseded)).toEqual(['mild_liver_disease']);
  });

  it('diabetes + diabetes with end-organ damage counts 2 only', () => {
    const r = at40('diabetes, diabetic neuropathy');
    expect(r.cci).toBe(2);
    expect(ids(r.conditions)).toEqual(['diabetes_end_organ_damage']);
    expect(r.superseded).toEqual([
      {
        condition: 'diabetes',
        label: 'Diabetes without end-organ damage',
        weight: 1,
        matched: 'diabetes',
      },
    ]);
  });

  it('tumour + metastatic solid tumour counts 6 only', () => {
    const r = at40('breast cancer, metastases');
    expect(r.cci).toBe(6);
    expect(ids(r.conditions)).toEqual(['metastatic_solid_tumour']);
    expect(ids(r.superseded)).toEqual(['tumour']);
  });

  it('a phrase naming both of a pair counts the severer, without a superseded entry', () => {
    const r = at40('metastatic breast cancer');
    expect(r.cci).toBe(6);
    expect(r.superseded).toEqual([]);
  });

  it('leukaemia + tumour counts 4', () => {
    const r = at40('leukaemia, lung cancer');
    expect(r.cci).toBe(4);
    expect(ids(r.conditions)).toEqual(['leukaemia', 'tumour']);
  });

  it('lymphoma and leukaemia add to a metastatic tumour', () => {
    expect(at40('lymphoma, leukaemia, metastatic lung cancer').cci).toBe(10);
  });
});

describe('age bands at the edges', () => {
  it.each([
    ['03/15/1970', '03/14/2020', 49, 0],
    ['03/15/1970', '03/15/2020', 50, 1],
    ['07/01/1960', '06/30/2020', 59, 1],
    ['07/01/1960', '07/01/2020', 60, 2],
    ['1950-10-10', '2020-10-09', 69, 2],
    ['1950-10-10', '2020-10-10', 70, 3],
    ['12/31/1940', '12/30/2020', 79, 3],
    ['12/31/1940', '12/31/2020', 80, 4],
    ['01/01/2020', '01/01/2020', 0, 0],
    // 29 February births: birthday reached on 1 March in a non-leap year, 29 February in a leap year.
    ['02/29/1972', '02/28/2022', 49, 0],
    ['02/29/1972', '03/01/2022', 50, 1],
    ['02/29/1964', '02/28/2024', 59, 1],
    ['02/29/1964', '02/29/2024', 60, 2],
  ])('born %s, admitted %s: %i years, %i points', (dob, admitted, age, points) => {
    const r = score(dob, admitted, '');
    expect(r.ageYears).toBe(age);
    expect(r.agePoints).toBe(points);
    expect(r.cci).toBe(points);
  });
});

describe('output order', () => {
  it('sorts conditions by weight, then id, whatever the input order', () => {
    const r = score(
      '01/01/1980',
      '01/01/2020',
      'asthma, AIDS, MI, leukaemia, cirrhosis with varices, CHF',
    );
    expect(r.conditions.map((c) => `${c.weight}:${c.condition}`)).toEqual([
      '6:aids',
      '3:moderate_severe_liver_disease',
      '2:leukaemia',
      '1:chronic_pulmonary_disease',
      '1:congestive_heart_failure',
      '1:myocardial_infarction',
    ]);
  });
});

describe('invalid input', () => {
  it('throws a RangeError naming the field, without echoing patient data', () => {
    expect(() => score('31/12/1950', '01/01/2020', '')).toThrow(
      new RangeError('scorePatient: dob is not a valid date (expected MM/DD/YYYY or YYYY-MM-DD)'),
    );
    expect(() => score('12/31/1950', '2020-02-30', '')).toThrow(
      new RangeError(
        'scorePatient: dateadmitted is not a valid date (expected MM/DD/YYYY or YYYY-MM-DD)',
      ),
    );
  });

  it('rejects an admission before the birth', () => {
    expect(() => score('01/02/2020', '01/01/2020', '')).toThrow(
      new RangeError('scorePatient: dateadmitted is before dob'),
    );
  });

  it('scores an empty condition list on age alone', () => {
    const r = score('01/01/1930', '01/01/2020', '');
    expect(r.cci).toBe(4);
    expect(r.conditions).toEqual([]);
    expect(r.unrecognized).toEqual([]);
  });
});
