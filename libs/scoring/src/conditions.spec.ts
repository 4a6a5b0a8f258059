import { CHARLSON_CONDITIONS } from './charlson';
import { COMPILED_SYNONYMS, SYNONYMS } from './conditions';
import { extractConditions } from './extract';

const counted = (text: string): string[] => [...extractConditions(text).counted.keys()].sort();
const matched = (text: string): Record<string, readonly string[]> =>
  Object.fromEntries(extractConditions(text).counted);

describe('synonym table', () => {
  it('covers every Charlson condition exactly once', () => {
    expect(SYNONYMS.map((s) => s.condition).sort()).toEqual(
      CHARLSON_CONDITIONS.map((c) => c.id).sort(),
    );
  });

  it('compiles to global regexes at load time', () => {
    for (const s of COMPILED_SYNONYMS) expect(s.re.flags).toContain('g');
  });
});

describe('synonyms', () => {
  it.each([
    // Myocardial infarction
    ['MI', 'myocardial_infarction'],
    ['M.I.', 'myocardial_infarction'],
    ['prior MIs', 'myocardial_infarction'],
    ['heart attack', 'myocardial_infarction'],
    ['two heart attacks', 'myocardial_infarction'],
    ['myocardial infarction', 'myocardial_infarction'],
    ['NSTEMI', 'myocardial_infarction'],
    ['STEMI 2019', 'myocardial_infarction'],
    ['AMI', 'myocardial_infarction'],
    // Congestive heart failure
    ['CHF', 'congestive_heart_failure'],
    ['congestive heart failure', 'congestive_heart_failure'],
    ['congestive cardiac failure', 'congestive_heart_failure'],
    ['CCF', 'congestive_heart_failure'],
    ['heart failure', 'congestive_heart_failure'],
    ['HFrEF', 'congestive_heart_failure'],
    ['HFpEF', 'congestive_heart_failure'],
    // Peripheral vascular disease
    ['PVD', 'peripheral_vascular_disease'],
    ['PAD', 'peripheral_vascular_disease'],
    ['peripheral arterial disease', 'peripheral_vascular_disease'],
    ['peripheral vascular disease', 'peripheral_vascular_disease'],
    ['intermittent claudication', 'peripheral_vascular_disease'],
    ['abdominal aortic aneurysm', 'peripheral_vascular_disease'],
    ['AAA', 'peripheral_vascular_disease'],
    ['critical limb ischaemia', 'peripheral_vascular_disease'],
    ['critical limb ischemia', 'peripheral_vascular_disease'],
    // Cerebrovascular disease
    ['stroke', 'cerebrovascular_disease'],
    ['strokes', 'cerebrovascular_disease'],
    ['CVA', 'cerebrovascular_disease'],
    ['CVAs', 'cerebrovascular_disease'],
    ['TIA', 'cerebrovascular_disease'],
    ['TIAs', 'cerebrovascular_disease'],
    ['transient ischaemic attack', 'cerebrovascular_disease'],
    ['transient ischemic attacks', 'cerebrovascular_disease'],
    ['cerebrovascular accident', 'cerebrovascular_disease'],
    ['subarachnoid haemorrhage', 'cerebrovascular_disease'],
    ['intracerebral hemorrhage', 'cerebrovascular_disease'],
    // Dementia
    ['dementia', 'dementia'],
    ['vascular dementia', 'dementia'],
    ["Alzheimer's disease", 'dementia'],
    ['Alzheimers', 'dementia'],
    ['Lewy body dementia', 'dementia'],
    // Chronic pulmonary disease
    ['asthma', 'chronic_pulmonary_disease'],
    ['asthmatic', 'chronic_pulmonary_disease'],
    ['COPD', 'chronic_pulmonary_disease'],
    ['AECOPD', 'chronic_pulmonary_disease'],
    ['emphysema', 'chronic_pulmonary_disease'],
    ['chronic bronchitis', 'chronic_pulmonary_disease'],
    ['chronic obstructive pulmonary disease', 'chronic_pulmonary_disease'],
    ['chronic obstructive airways disease', 'chronic_pulmonary_disease'],
    ['bronchiectasis', 'chronic_pulmonary_disease'],
    ['pulmonary fibrosis', 'chronic_pulmonary_disease'],
    // Connective tissue disease
    ['rheumatoid arthritis', 'connective_tissue_disease'],
    ['RA', 'connective_tissue_disease'],
    ['SLE', 'connective_tissue_disease'],
    ['systemic lupus erythematosus', 'connective_tissue_disease'],
    ['lupus', 'connective_tissue_disease'],
    ['polymyalgia rheumatica', 'connective_tissue_disease'],
    ['PMR', 'connective_tissue_disease'],
    ['polymyositis', 'connective_tissue_disease'],
    ['mixed connective tissue disease', 'connective_tissue_disease'],
    ['scleroderma', 'connective_tissue_disease'],
    // Peptic ulcer disease
    ['PUD', 'peptic_ulcer_disease'],
    ['peptic ulcer disease', 'peptic_ulcer_disease'],
    ['peptic ulcers', 'peptic_ulcer_disease'],
    ['duodenal ulcer', 'peptic_ulcer_disease'],
    ['gastric ulcers', 'peptic_ulcer_disease'],
    // Mild liver disease
    ['chronic hepatitis', 'mild_liver_disease'],
    ['hepatitis C', 'mild_liver_disease'],
    ['Hep B', 'mild_liver_disease'],
    ['HCV', 'mild_liver_disease'],
    ['HBV', 'mild_liver_disease'],
    ['cirrhosis', 'mild_liver_disease'],
    ['liver cirrhosis', 'mild_liver_disease'],
    ['NASH', 'mild_liver_disease'],
    ['cirrhosis without portal hypertension', 'mild_liver_disease'],
    // Diabetes
    ['diabetes', 'diabetes'],
    ['Diabetes Mellitus', 'diabetes'],
    ['diabetic', 'diabetes'],
    ['DM', 'diabetes'],
    ['DM2', 'diabetes'],
    ['T1DM', 'diabetes'],
    ['T2DM', 'diabetes'],
    ['T2D', 'diabetes'],
    ['type 2 diabetes', 'diabetes'],
    ['type II diabetes', 'diabetes'],
    ['IDDM', 'diabetes'],
    ['NIDDM', 'diabetes'],
    ['non-insulin-dependent diabetes', 'diabetes'],
    ['diabetes without complications', 'diabetes'],
    ['uncomplicated diabetes', 'diabetes'],
    // Hemiplegia
    ['hemiplegia', 'hemiplegia'],
    ['paraplegia', 'hemiplegia'],
    ['paraplegic', 'hemiplegia'],
    ['left hemiparesis', 'hemiplegia'],
    ['quadriplegia', 'hemiplegia'],
    // Moderate-severe renal disease
    ['CKD stage 3', 'moderate_severe_renal_disease'],
    ['CKD 3a', 'moderate_severe_renal_disease'],
    ['CKD3b', 'moderate_severe_renal_disease'],
    ['CKD stage 4', 'moderate_severe_renal_disease'],
    ['CKD IV', 'moderate_severe_renal_disease'],
    ['CKD 5', 'moderate_severe_renal_disease'],
    ['CKD G4', 'moderate_severe_renal_disease'],
    ['stage 4 CKD', 'moderate_severe_renal_disease'],
    ['chronic kidney disease stage 3', 'moderate_severe_renal_disease'],
    ['ESRD', 'moderate_severe_renal_disease'],
    ['ESKD', 'moderate_severe_renal_disease'],
    ['end-stage renal disease', 'moderate_severe_renal_disease'],
    ['dialysis', 'moderate_severe_renal_disease'],
    ['haemodialysis', 'moderate_severe_renal_disease'],
    ['hemodialysis', 'moderate_severe_renal_disease'],
    ['peritoneal dialysis', 'moderate_severe_renal_disease'],
    ['renal transplant', 'moderate_severe_renal_disease'],
    ['CKD stage 3–5', 'moderate_severe_renal_disease'],
    ['Chronic Kidney Disease (Stage 4)', 'moderate_severe_renal_disease'],
    // Diabetes with end-organ damage
    ['diabetes with nephropathy', 'diabetes_end_organ_damage'],
    ['diabetes with retinopathy', 'diabetes_end_organ_damage'],
    ['diabetes with neuropathy', 'diabetes_end_organ_damage'],
    ['diabetic nephropathy', 'diabetes_end_organ_damage'],
    ['diabetic retinopathy', 'diabetes_end_organ_damage'],
    ['diabetic peripheral neuropathy', 'diabetes_end_organ_damage'],
    ['diabetic foot ulcer', 'diabetes_end_organ_damage'],
    ['diabetic kidney disease', 'diabetes_end_organ_damage'],
    ['T2DM with end-organ damage', 'diabetes_end_organ_damage'],
    ['T2DM w/ neuropathy', 'diabetes_end_organ_damage'],
    ['type 1 diabetes complicated by retinopathy', 'diabetes_end_organ_damage'],
    ['nephropathy secondary to type 2 diabetes', 'diabetes_end_organ_damage'],
    ['diabetes with complications', 'diabetes_end_organ_damage'],
    ['complicated diabetes', 'diabetes_end_organ_damage'],
    ['diabetes with nephropathy and retinopathy', 'diabetes_end_organ_damage'],
    ['diabetes with nephropathy/retinopathy', 'diabetes_end_organ_damage'],
    // Tumour
    ['cancer', 'tumour'],
    ['breast cancer', 'tumour'],
    ['breast ca', 'tumour'],
    ['Ca prostate', 'tumour'],
    ['hx of CA breast', 'tumour'],
    ['tumour', 'tumour'],
    ['tumor', 'tumour'],
    ['tumours', 'tumour'],
    ['brain tumor', 'tumour'],
    ['oesophageal cancer', 'tumour'],
    ['esophageal cancer', 'tumour'],
    ['adenocarcinoma', 'tumour'],
    ['hepatocellular carcinoma', 'tumour'],
    ['malignancy', 'tumour'],
    ['malignant melanoma', 'tumour'],
    ['sarcoma', 'tumour'],
    ['NSCLC', 'tumour'],
    ['non-metastatic breast cancer', 'tumour'],
    // Leukaemia
    ['leukaemia', 'leukaemia'],
    ['leukemia', 'leukaemia'],
    ['leukaemias', 'leukaemia'],
    ['AML', 'leukaemia'],
    ['CLL', 'leukaemia'],
    ['CML', 'leukaemia'],
    ['acute lymphoblastic leukemia', 'leukaemia'],
    ['polycythaemia vera', 'leukaemia'],
    // Lymphoma
    ['lymphoma', 'lymphoma'],
    ['lymphomas', 'lymphoma'],
    ["Hodgkin's lymphoma", 'lymphoma'],
    ['non-Hodgkin lymphoma', 'lymphoma'],
    ['NHL', 'lymphoma'],
    ['multiple myeloma', 'lymphoma'],
    ["Waldenström's macroglobulinaemia", 'lymphoma'],
    ['stage IV lymphoma', 'lymphoma'],
    // Moderate-severe liver disease
    ['cirrhosis with portal hypertension', 'moderate_severe_liver_disease'],
    ['portal hypertension', 'moderate_severe_liver_disease'],
    ['oesophageal varices', 'moderate_severe_liver_disease'],
    ['esophageal varices', 'moderate_severe_liver_disease'],
    ['variceal bleeding', 'moderate_severe_liver_disease'],
    ['cirrhosis with variceal bleed', 'moderate_severe_liver_disease'],
    ['hepatic failure', 'moderate_severe_liver_disease'],
    ['liver failure', 'moderate_severe_liver_disease'],
    ['decompensated cirrhosis', 'moderate_severe_liver_disease'],
    ['end-stage liver disease', 'moderate_severe_liver_disease'],
    ['hepatic encephalopathy', 'moderate_severe_liver_disease'],
    // Metastatic solid tumour
    ['metastatic cancer', 'metastatic_solid_tumour'],
    ['metastatic', 'metastatic_solid_tumour'],
    ['metastases', 'metastatic_solid_tumour'],
    ['liver metastasis', 'metastatic_solid_tumour'],
    ['bone mets', 'metastatic_solid_tumour'],
    ['stage IV lung cancer', 'metastatic_solid_tumour'],
    ['stage 4 breast cancer', 'metastatic_solid_tumour'],
    ['colon cancer stage IVb', 'metastatic_solid_tumour'],
    ['metastatic breast ca', 'metastatic_solid_tumour'],
    // AIDS
    ['AIDS', 'aids'],
    ['acquired immunodeficiency syndrome', 'aids'],
    ['acquired immune deficiency syndrome', 'aids'],
    ['HIV stage 3', 'aids'],
    ['HIV/AIDS', 'aids'],
    // Abbreviation pairs written with a slash
    ['PVD/PAD', 'peripheral_vascular_disease'],
    ['T1DM/T2DM', 'diabetes'],
    ['AML/CLL', 'leukaemia'],
  ])('%j -> %s', (text, condition) => {
    expect(counted(text)).toEqual([condition]);
  });

  it('reads the stored value with its quotes', () => {
    expect(counted("'diabetes, hypertension, asthma'")).toEqual([
      'chronic_pulmonary_disease',
      'diabetes',
    ]);
  });

  it('is case-insensitive', () => {
    expect(counted('copd')).toEqual(['chronic_pulmonary_disease']);
    expect(counted('Copd')).toEqual(['chronic_pulmonary_disease']);
    expect(counted('LEUKAEMIA')).toEqual(['leukaemia']);
  });

  it('reports the matched text as written', () => {
    expect(matched("'Type 2 Diabetes Mellitus', Heart-Attack, CHF/COPD")).toEqual({
      diabetes: ['Type 2 Diabetes Mellitus'],
      myocardial_infarction: ['Heart-Attack'],
      congestive_heart_failure: ['CHF'],
      chronic_pulmonary_disease: ['COPD'],
    });
  });

  it('joins several matches of one condition in a fixed order', () => {
    expect(matched('TIA, stroke, CVA')).toEqual({
      cerebrovascular_disease: ['CVA', 'stroke', 'TIA'],
    });
  });
});

describe('false-positive guards', () => {
  it.each([
    ['migraine'],
    ['MIGRAINE'],
    ['mild hypertension'],
    ['mitral regurgitation'],
    ['admitted for chest pain'],
    ['hearing aids'],
    ['walking aids'],
    ['pad thai allergy'],
    ['heating pad burn'],
    ['heat stroke'],
    ['diabetes insipidus'],
    ['gestational diabetes'],
    ['pre-diabetes'],
    ['prediabetes'],
    ['non-diabetic'],
    ['hypertension'],
    ['pulmonary hypertension'],
    ['hyperlipidaemia'],
    ['GERD'],
    ['hepatitis A'],
    ['stage 4 pressure ulcer'],
    ['leg ulcer'],
    ['CKD stage 2'],
    ['CKD 1'],
    ['osteoarthritis'],
    ['varicose veins'],
    ['mild cognitive impairment'],
    ['acute kidney injury'],
    ['cardiomegaly'],
    ['calcium supplements'],
    ['NAFLD'],
  ])('%j scores nothing', (text) => {
    expect(counted(text)).toEqual([]);
  });

  it('"mild" and "mitral" do not trigger MI but "MI" beside them does', () => {
    expect(counted('mild mitral regurgitation, MI')).toEqual(['myocardial_infarction']);
  });

  it('AIDS on its own is AIDS, hearing aids are not', () => {
    expect(counted('hearing aids, AIDS')).toEqual(['aids']);
  });
});

describe('negation', () => {
  it.each([
    ['no diabetes'],
    ['No Diabetes'],
    ['denies stroke'],
    ['without COPD'],
    ['negative for HIV and AIDS'],
    ['not diabetic'],
    ['no history of MI'],
    ['no diabetes or stroke'],
    ['no diabetes and stroke'],
    ['denies CHF/COPD'],
    ['HIV negative'],
    ['MI ruled out'],
    ['r/o MI'],
    ['family history of MI'],
    ['FHx of breast cancer'],
    ['no metastases'],
  ])('%j scores nothing', (text) => {
    expect(counted(text)).toEqual([]);
  });

  it('applies within its own comma/semicolon item only', () => {
    expect(counted('no diabetes, stroke')).toEqual(['cerebrovascular_disease']);
    expect(counted('denies stroke; asthma')).toEqual(['chronic_pulmonary_disease']);
    expect(counted('no diabetes\nCOPD')).toEqual(['chronic_pulmonary_disease']);
  });

  it('applies to what follows it, not to what precedes it', () => {
    expect(counted('stroke and no diabetes')).toEqual(['cerebrovascular_disease']);
    expect(counted('diabetes without complications')).toEqual(['diabetes']);
  });

  it('ends at "but"', () => {
    expect(counted('denies stroke but has COPD')).toEqual(['chronic_pulmonary_disease']);
  });

  it('negates the complication but keeps the diabetes', () => {
    expect(counted('diabetes with no nephropathy')).toEqual(['diabetes']);
    expect(counted('cirrhosis without portal hypertension')).toEqual(['mild_liver_disease']);
  });

  it('is explained in a note', () => {
    expect(extractConditions('no diabetes, denies stroke, FH of MI').notes).toEqual([
      'Negated, not scored: "diabetes" in "no diabetes", "stroke" in "denies stroke"',
      'Family history, not scored: "MI" in "FH of MI"',
    ]);
  });
});

describe('terms that score nothing', () => {
  it('are reported as written, sorted, once', () => {
    expect(
      extractConditions(
        "'Hypertension, hyperlipidaemia; GERD, penicillin allergy, HTN, htn, asthma'",
      ).unrecognized,
    ).toEqual(['GERD', 'HTN', 'hyperlipidaemia', 'Hypertension', 'penicillin allergy']);
  });

  it('do not include negated conditions or "none"', () => {
    const e = extractConditions('none, no diabetes, nil');
    expect(e.unrecognized).toEqual([]);
    expect(e.counted.size).toBe(0);
  });

  it('include negated things the model does not know', () => {
    expect(extractConditions('no hypertension').unrecognized).toEqual(['no hypertension']);
  });
});

describe('notes', () => {
  it('HIV alone is not AIDS, and says so', () => {
    const e = extractConditions('HIV positive');
    expect(e.counted.size).toBe(0);
    expect(e.unrecognized).toEqual([]);
    expect(e.notes).toEqual([
      'HIV without AIDS is not scored (the 1987 Charlson index counts AIDS only): "HIV positive"',
    ]);
  });

  it('no HIV note once AIDS is counted', () => {
    const e = extractConditions('HIV, AIDS');
    expect([...e.counted.keys()]).toEqual(['aids']);
    expect(e.notes).toEqual([]);
  });

  it('explains unstaged or early CKD', () => {
    expect(extractConditions('CKD, CKD stage 2').notes).toEqual([
      'Chronic kidney disease not documented as stage 3-5, ESRD, dialysis or transplant is not scored: "CKD", "CKD stage 2"',
    ]);
    expect(extractConditions('CKD 2, dialysis').notes).toEqual([]);
  });

  it('explains diet-controlled diabetes (Charlson 1987: "not diet alone")', () => {
    const e = extractConditions('diet-controlled diabetes');
    expect(e.counted.size).toBe(0);
    expect(e.notes).toEqual([
      'Diet-controlled diabetes is not scored (Charlson 1987 counts diabetes treated with insulin or oral agents): "diet-controlled diabetes"',
    ]);
  });

  it('explains benign tumours', () => {
    const e = extractConditions('benign brain tumour');
    expect(e.counted.size).toBe(0);
    expect(e.notes).toEqual([
      'Benign or pre-malignant tumours are not scored: "benign brain tumour"',
    ]);
  });
});
