/**
 * The synonym table: which phrases name which Charlson condition. Pure data, compiled once at load.
 *
 * Patterns are regular-expression sources matched against normalised text (see `normalizeText`):
 * lower case, no diacritics, apostrophes and dotted-abbreviation dots removed, every other
 * punctuation mark a single space. Each condition's patterns are joined into one regex wrapped in
 * word boundaries, so "mi" never matches inside "mild" or "migraine". Within a condition, longer
 * alternatives come first so that the reported match is the fullest phrase.
 */
import type { ConditionId } from './charlson';

export interface SynonymEntry {
  readonly condition: ConditionId;
  readonly patterns: readonly string[];
  /** Phrases that only name this condition next to another one (see `ContextualSynonyms`). */
  readonly contextual?: readonly ContextualSynonyms[];
  /** If the term also matches `pattern`, this condition is not scored for that term; `note` says why. */
  readonly veto?: { readonly pattern: string; readonly note: string };
}

/**
 * Phrases that name a condition only when one of `requires` is named in the same term ('term') or in
 * the same comma/semicolon-separated item ('item').
 */
export interface ContextualSynonyms {
  readonly patterns: readonly string[];
  readonly requires: readonly ConditionId[];
  readonly scope: 'term' | 'item';
}

/** Phrases that score nothing but deserve an explanation unless one of `unlessCounted` is scored. */
export interface NoteTerm {
  readonly id: string;
  readonly patterns: readonly string[];
  readonly note: string;
  readonly unlessCounted: readonly ConditionId[];
}

// Shared fragments. `(?<!...)` guards keep "pre-diabetes", "non-diabetic", "gestational diabetes"
// and "diabetes insipidus" out of diabetes mellitus.
const NOT_DIABETES_PREFIX = '(?<!\\b(?:pre|non|borderline|gestational) )';
const DIABETES =
  NOT_DIABETES_PREFIX +
  '(?:(?:type (?:1|2|i|ii|one|two) )?diabet(?:es|ics?)(?! insipidus)(?: mellitus)?(?: type (?:1|2|i|ii))?' +
  '|(?:type (?:1|2|i|ii) )?dm(?: ?(?:1|2|i|ii))?(?: type (?:1|2|i|ii))?|t[12]dm|t[12]d|n?iddm)';
const DIABETIC_MICROVASCULAR =
  '(?:(?:peripheral |autonomic |sensory |painful |proliferative |non proliferative |background )?' +
  '(?:nephropathy|retinopathy|neuropathy|polyneuropathy|maculopathy|macular o?edema|amyotrophy|gastroparesis))';
const DIABETIC_COMPLICATION =
  '(?:' +
  DIABETIC_MICROVASCULAR +
  '|(?:chronic )?(?:kidney|renal) disease|ckd|foot ulcers?|foot ulceration|foot disease|foot|end organ damage|target organ damage' +
  '|(?:chronic |microvascular |macrovascular |late )?complications?)';
const STAGE_3_TO_5 = '(?:3a|3b|3|4|5d|5|iiia|iiib|iii|iv|v)';
const CKD = '(?:ckd|chronic kidney disease|chronic renal disease)';
const HAEMORRHAGE = 'ha?emorrhages?';
const ISCHAEMIC = 'isch(?:a)?emic';
// Sites, so that a match reads "breast cancer" and the shorthand "breast ca" / "ca prostate" is understood.
const CANCER_SITE =
  '(?:breast|lung|prostate|prostatic|colon|colonic|bowel|rectal|rectum|colorectal|ovarian|ovary|cervical|cervix' +
  '|bladder|renal|kidney|pancreatic|pancreas|gastric|stomach|o?esophageal|o?esophagus|liver|thyroid|endometrial' +
  '|uterine|uterus|testicular|testis|skin|tongue|laryngeal|larynx)';

export const SYNONYMS: readonly SynonymEntry[] = [
  {
    condition: 'myocardial_infarction',
    patterns: [
      'myocardial infarctions?',
      'myocardial infarcts?',
      'heart attacks?',
      'n?stemis?',
      'amis?',
      'mis?',
    ],
  },
  {
    condition: 'congestive_heart_failure',
    patterns: [
      'congestive (?:heart|cardiac) failure',
      '(?:heart|cardiac) failure',
      'left ventricular failure',
      'lv failure',
      'hf(?:m?r|p)ef',
      'chf',
      'ccf',
      'lvf',
    ],
  },
  {
    condition: 'peripheral_vascular_disease',
    patterns: [
      'peripheral (?:vascular|arterial|artery) (?:occlusive )?(?:disease|insufficiency)',
      'peripheral (?:arterial |artery |vascular )?bypass',
      'fem(?:oral)? pop(?:liteal)? bypass',
      '(?:intermittent )?claudication',
      '(?:(?:abdominal|thoracic|thoracoabdominal) )?aortic aneurysms?',
      '(?:critical |chronic )?limb isch(?:a)?emia',
      'arterial insufficiency',
      'pvd',
      'paod',
      // "pad thai" allergy and heating pads are not peripheral arterial disease.
      '(?<!\\bheating )pad(?! thai)',
      'aaa',
    ],
  },
  {
    condition: 'cerebrovascular_disease',
    patterns: [
      'cerebrovascular (?:accidents?|disease|events?|insults?)',
      'transient ' + ISCHAEMIC + ' attacks?',
      'cerebral (?:infarcts?|infarctions?|' + HAEMORRHAGE + ')',
      '(?:intracerebral|subarachnoid) ' + HAEMORRHAGE,
      'lacunar (?:infarcts?|infarctions?|strokes?)',
      // Heat stroke and sunstroke are not strokes.
      '(?<!\\b(?:heat|sun) )strokes?',
      'cvas?',
      'tias?',
    ],
  },
  {
    condition: 'dementia',
    patterns: [
      'alzheimers?(?: disease| dementia)?',
      'lewy body(?: disease| dementia)?',
      'major neurocognitive disorder',
      'chronic cognitive (?:deficit|impairment)',
      'dementias?',
    ],
  },
  {
    condition: 'chronic_pulmonary_disease',
    patterns: [
      'chronic obstructive (?:pulmonary|lung|airways?|respiratory) disease',
      'chronic (?:lung|pulmonary|respiratory) disease',
      'chronic bronchitis',
      'emphysema(?:tous)?',
      'asthma(?:s|tic)?',
      'bronchiectasis',
      '(?:idiopathic )?pulmonary fibrosis',
      'interstitial lung disease',
      'cystic fibrosis',
      'pneumoconiosis',
      'asbestosis',
      'silicosis',
      '(?:ae)?copd',
      'coad',
      'ild',
      'ipf',
    ],
  },
  {
    condition: 'connective_tissue_disease',
    patterns: [
      '(?:mixed )?connective tissue diseases?',
      '(?:systemic )?lupus erythematosus',
      '(?<!\\b(?:discoid|cutaneous) )lupus(?: nephritis)?',
      'rheumatoid (?:arthritis|disease)',
      'polymyalgia rheumatica',
      'polymyositis',
      'dermatomyositis',
      'systemic sclerosis',
      'scleroderma',
      'mctd',
      'sle',
      'pmr',
      'ra',
    ],
  },
  {
    condition: 'peptic_ulcer_disease',
    patterns: [
      '(?:peptic|gastric|duodenal|stomach|gastroduodenal) (?:ulcers?|ulceration)(?: disease)?',
      'pud',
    ],
  },
  {
    condition: 'mild_liver_disease',
    patterns: [
      'chronic (?:(?:viral|active|persistent|autoimmune) )?hepatitis(?: [bc])?',
      '(?:autoimmune|alcoholic) hepatitis',
      'hepatitis [bc]',
      'hep [bc]',
      '(?:non alcoholic )?steatohepatitis',
      'primary biliary (?:cirrhosis|cholangitis)',
      '(?:liver|hepatic) (?:cirrhosis|fibrosis)',
      'chronic liver disease',
      'cirrhosis',
      'cirrhotic',
      'nash',
      'hbv',
      'hcv',
      'pbc',
    ],
  },
  {
    condition: 'diabetes',
    patterns: [DIABETES],
    // Charlson 1987 counts diabetes treated with insulin or oral agents, "but not diet alone".
    veto: {
      pattern:
        '\\bdiet(?:ary)? ?(?:alone|only|controlled|control|treated|managed)\\b|\\bcontrolled (?:by|on|with) diet\\b',
      note: 'Diet-controlled diabetes is not scored (Charlson 1987 counts diabetes treated with insulin or oral agents)',
    },
  },
  {
    condition: 'hemiplegia',
    patterns: ['(?:hemi|para|quadri|tetra)pleg(?:ia|ic)', 'hemipare(?:sis|tic)'],
  },
  {
    condition: 'moderate_severe_renal_disease',
    patterns: [
      CKD + '(?: stage| stg)?(?: g)? ?' + STAGE_3_TO_5,
      'stage ' + STAGE_3_TO_5 + ' ' + CKD,
      '(?:end stage|endstage) (?:renal|kidney) (?:disease|failure)',
      'chronic (?:renal|kidney) failure',
      '(?:renal|kidney) (?:transplants?|transplantation|replacement therapy)',
      '(?:(?:ha?emo|peritoneal) ?)?dialysis',
      'ur(?:a)?emia',
      'esrd',
      'eskd',
      'esrf',
      'capd',
    ],
  },
  {
    condition: 'diabetes_end_organ_damage',
    patterns: [
      DIABETES +
        '(?: \\w+){0,3}? (?:with|w|complicated by) (?:\\w+ ){0,3}?' +
        DIABETIC_COMPLICATION,
      DIABETIC_COMPLICATION + ' (?:due to|secondary to|from|related to) (?:\\w+ ){0,2}?' + DIABETES,
      NOT_DIABETES_PREFIX + 'diabetic (?:\\w+ ){0,2}?' + DIABETIC_COMPLICATION,
      DIABETES + ' ' + DIABETIC_COMPLICATION,
      'complicated ' + DIABETES,
      'dkd',
    ],
    // "diabetes with nephropathy and retinopathy" or "T2DM/neuropathy": the split-off complication
    // still belongs to the diabetes named earlier in the same item.
    contextual: [
      {
        patterns: [DIABETIC_MICROVASCULAR],
        requires: ['diabetes', 'diabetes_end_organ_damage'],
        scope: 'item',
      },
    ],
  },
  {
    condition: 'tumour',
    patterns: [
      'malignant (?:neoplasms?|tumou?rs?|melanomas?)',
      CANCER_SITE + ' (?:cancers?|(?:adeno)?carcinomas?|ca|tumou?rs?)',
      'ca (?:of (?:the )?)?' + CANCER_SITE,
      '(?:adeno|cholangio|chorio)?carcinomas?',
      '(?:osteo|lipo|leiomyo|rhabdomyo|angio|chondro|fibro)?sarcomas?',
      'malignanc(?:y|ies)',
      'cancers?',
      'tumou?rs?',
      'melanomas?',
      'mesotheliomas?',
      'glioblastomas?',
      'gliomas?',
      'astrocytomas?',
      'neuroblastomas?',
      'seminomas?',
      'n?sclc',
      'hcc',
      'rcc',
      'gbm',
    ],
    veto: {
      pattern: '\\b(?:benign|non ?malignant|pre ?malignant|pre ?cancerous)\\b',
      note: 'Benign or pre-malignant tumours are not scored',
    },
  },
  {
    condition: 'leukaemia',
    patterns: ['polycyth(?:a)?emia (?:rubra )?vera', 'leuka?emias?', 'aml', 'cll', 'cml'],
  },
  {
    condition: 'lymphoma',
    patterns: [
      // Charlson 1987 files myeloma and Waldenström's macroglobulinaemia under lymphoma.
      'non hodgkins?(?: lymphomas?| disease)?',
      'hodgkins?(?: lymphomas?| disease)?',
      'waldenstroms?(?: macroglobulina?emia)?',
      'macroglobulina?emia',
      '(?:multiple )?myelomas?',
      'mycosis fungoides',
      'lymphosarcomas?',
      'lymphomas?',
      'dlbcl',
      'nhl',
    ],
  },
  {
    condition: 'moderate_severe_liver_disease',
    patterns: [
      '(?:(?:liver|hepatic) )?cirrhosis (?:\\w+ ){0,2}?(?:with|w) (?:\\w+ ){0,2}?' +
        '(?:portal hypertension|varices|variceal (?:bleeds?|bleeding|' +
        HAEMORRHAGE +
        ')|encephalopathy|ascites)',
      'decompensated (?:chronic liver disease|liver disease|(?:liver )?cirrhosis)',
      'portal hypertension',
      '(?:(?:o?esophageal|gastric) )?varices',
      'variceal(?: (?:bleeds?|bleeding|' + HAEMORRHAGE + '))?',
      '(?:hepatic|liver) failure',
      '(?:end stage|endstage) liver disease',
      'hepatic encephalopathy',
      'hepatorenal syndrome',
      'esld',
    ],
  },
  {
    condition: 'metastatic_solid_tumour',
    patterns: [
      'disseminated (?:cancer|malignancy|carcinoma)',
      'secondary (?:deposits|tumou?rs?|cancers?|malignanc(?:y|ies))',
      '(?<!\\bnon )metastatic',
      '(?<!\\bnon )metastas[ie]s',
      'metastasi[sz]ed',
      'carcinomatosis',
      'secondaries',
      'mets',
    ],
    // "Stage IV" alone is ambiguous (CKD, pressure ulcers, lymphoma): it only means metastatic
    // disease next to a solid tumour.
    contextual: [{ patterns: ['stage (?:iv|4)(?: ?[a-c])?'], requires: ['tumour'], scope: 'term' }],
  },
  {
    condition: 'aids',
    patterns: [
      'acquired immune? ?deficiency syndrome',
      'acquired immunodeficiency syndrome',
      // CDC stage 3 HIV infection is the surveillance definition of AIDS.
      'hiv (?:infection )?stage (?:3|iii)',
      'stage (?:3|iii) hiv',
      // Hearing aids, walking aids and the like are devices, not AIDS.
      '(?<!\\b(?:hearing|walking|mobility|visual|vision|memory|sleep|breathing|dietary|feeding|dressing|bathing|teaching|study|first|living|communication|sensory|low) )aids',
    ],
  },
];

export const NOTE_TERMS: readonly NoteTerm[] = [
  {
    id: 'hiv_without_aids',
    patterns: ['hiv(?: 1| 2)?(?: positive| infection| disease)?', 'human immunodeficiency virus'],
    note: 'HIV without AIDS is not scored (the 1987 Charlson index counts AIDS only)',
    unlessCounted: ['aids'],
  },
  {
    id: 'ckd_unstaged',
    patterns: [
      CKD + '(?: stage| stg)?(?: g)? ?(?:1|2|i|ii)?',
      'chronic (?:renal|kidney) insufficiency',
      'renal (?:insufficiency|impairment)',
    ],
    note: 'Chronic kidney disease not documented as stage 3-5, ESRD, dialysis or transplant is not scored',
    unlessCounted: ['moderate_severe_renal_disease'],
  },
];

// Compiled forms. The regexes are global and shared: use `allMatches` / `matchesAnywhere`, which
// reset `lastIndex`, never `exec` / `test` directly.
export interface CompiledSynonyms {
  readonly condition: ConditionId;
  readonly re: RegExp;
  readonly contextual: readonly {
    readonly re: RegExp;
    readonly requires: readonly ConditionId[];
    readonly scope: 'term' | 'item';
  }[];
  readonly veto: { readonly re: RegExp; readonly note: string } | null;
}

export interface CompiledNoteTerm {
  readonly id: string;
  readonly re: RegExp;
  readonly note: string;
  readonly unlessCounted: readonly ConditionId[];
}

function alternatives(patterns: readonly string[]): RegExp {
  return new RegExp(`\\b(?:${patterns.join('|')})\\b`, 'g');
}

export const COMPILED_SYNONYMS: readonly CompiledSynonyms[] = SYNONYMS.map((entry) => ({
  condition: entry.condition,
  re: alternatives(entry.patterns),
  contextual: (entry.contextual ?? []).map((c) => ({
    re: alternatives(c.patterns),
    requires: c.requires,
    scope: c.scope,
  })),
  veto: entry.veto ? { re: new RegExp(entry.veto.pattern, 'g'), note: entry.veto.note } : null,
}));

export const COMPILED_NOTE_TERMS: readonly CompiledNoteTerm[] = NOTE_TERMS.map((entry) => ({
  id: entry.id,
  re: alternatives(entry.patterns),
  note: entry.note,
  unlessCounted: entry.unlessCounted,
}));
