import { CHARLSON_CONDITIONS, type ConditionId } from './charlson';
import { ICD10_MAPPING_VERSION, QUAN_2005_ICD10, conditionForIcd10Code } from './quan-2005';

/**
 * Quan et al. 2005, Table 1, ICD-10 column, typed in again as printed (ranges with an en dash) so
 * the table in quan-2005.ts is checked against an independent spelling of the same list.
 */
const PUBLISHED: Readonly<Record<string, string>> = {
  'Myocardial infarction': 'I21, I22, I25.2',
  'Congestive heart failure':
    'I09.9, I11.0, I13.0, I13.2, I25.5, I42.0, I42.5–I42.9, I43, I50, P29.0',
  'Peripheral vascular disease':
    'I70, I71, I73.1, I73.8, I73.9, I77.1, I79.0, I79.2, K55.1, K55.8, K55.9, Z95.8, Z95.9',
  'Cerebrovascular disease': 'G45, G46, H34.0, I60–I69',
  Dementia: 'F00–F03, F05.1, G30, G31.1',
  'Chronic pulmonary disease': 'I27.8, I27.9, J40–J47, J60–J67, J68.4, J70.1, J70.3',
  'Rheumatic disease': 'M05, M06, M31.5, M32–M34, M35.1, M35.3, M36.0',
  'Peptic ulcer disease': 'K25–K28',
  'Mild liver disease':
    'B18, K70.0–K70.3, K70.9, K71.3–K71.5, K71.7, K73, K74, K76.0, K76.2–K76.4, K76.8, K76.9, Z94.4',
  'Diabetes without chronic complication':
    'E10.0, E10.1, E10.6, E10.8, E10.9, E11.0, E11.1, E11.6, E11.8, E11.9, E12.0, E12.1, E12.6, ' +
    'E12.8, E12.9, E13.0, E13.1, E13.6, E13.8, E13.9, E14.0, E14.1, E14.6, E14.8, E14.9',
  'Diabetes with chronic complication':
    'E10.2–E10.5, E10.7, E11.2–E11.5, E11.7, E12.2–E12.5, E12.7, E13.2–E13.5, E13.7, E14.2–E14.5, E14.7',
  'Hemiplegia or paraplegia': 'G04.1, G11.4, G80.1, G80.2, G81, G82, G83.0–G83.4, G83.9',
  'Renal disease':
    'I12.0, I13.1, N03.2–N03.7, N05.2–N05.7, N18, N19, N25.0, Z49.0–Z49.2, Z94.0, Z99.2',
  'Any malignancy, including lymphoma and leukemia, except malignant neoplasm of skin':
    'C00–C26, C30–C34, C37–C41, C43, C45–C58, C60–C76, C81–C85, C88, C90–C97',
  'Moderate or severe liver disease':
    'I85.0, I85.9, I86.4, I98.2, K70.4, K71.1, K72.1, K72.9, K76.5, K76.6, K76.7',
  'Metastatic solid tumor': 'C77–C80',
  'AIDS/HIV': 'B20–B22, B24',
};

/** 'I42.5–I42.9' → I42.5 … I42.9; 'C00–C26' → C00 … C26; 'I21' → I21. */
function expand(list: string): string[] {
  return list.split(', ').flatMap((item) => {
    const [from, to] = item.split('–');
    if (to === undefined) return [from];
    const stem = from.includes('.') ? from.slice(0, 4) : from.slice(0, 1);
    const width = from.length - stem.length;
    const first = Number(from.slice(stem.length));
    const last = Number(to.slice(stem.length));
    expect(to.startsWith(stem)).toBe(true);
    return Array.from(
      { length: last - first + 1 },
      (_, i) => stem + String(first + i).padStart(width, '0'),
    );
  });
}

const key = (code: string) => code.replace('.', '');

describe('the Quan 2005 ICD-10 table', () => {
  it('is versioned', () => {
    expect(ICD10_MAPPING_VERSION).toBe('quan-2005-icd10');
  });

  it('has exactly the 17 published conditions and code lists', () => {
    const byCategory = new Map<string, string[]>();
    for (const row of QUAN_2005_ICD10) {
      byCategory.set(row.category, [...(byCategory.get(row.category) ?? []), ...row.codes]);
    }
    expect([...byCategory.keys()].sort()).toEqual(Object.keys(PUBLISHED).sort());
    expect(byCategory.size).toBe(17);
    for (const [category, codes] of byCategory) {
      // C90.1 is our refinement inside C90 (which decides leukaemia vs lymphoma), not a new code.
      const listed = codes.filter((c) => !(c.includes('.') && codes.includes(c.slice(0, 3))));
      expect({ category, codes: [...listed].sort() }).toEqual({
        category,
        codes: expand(PUBLISHED[category]).sort(),
      });
      expect(new Set(listed).size).toBe(listed.length);
    }
  });

  it('maps every published condition to one condition id, except any malignancy', () => {
    const ids = new Map<string, Set<ConditionId>>();
    for (const row of QUAN_2005_ICD10) {
      ids.set(row.category, (ids.get(row.category) ?? new Set()).add(row.condition));
    }
    for (const [category, set] of ids) {
      if (category.startsWith('Any malignancy')) {
        expect([...set].sort()).toEqual(['leukaemia', 'lymphoma', 'tumour']);
      } else {
        expect(set.size).toBe(1);
      }
    }
    expect(new Set(QUAN_2005_ICD10.map((r) => r.condition)).size).toBe(CHARLSON_CONDITIONS.length);
  });

  it('no code of one published condition is a prefix of a code of another', () => {
    const all = QUAN_2005_ICD10.flatMap((row) => row.codes.map((code) => ({ row, code })));
    const clashes = all.flatMap((a) =>
      all
        .filter((b) => a.row.category !== b.row.category && key(b.code).startsWith(key(a.code)))
        .map((b) => `${a.code} (${a.row.category}) / ${b.code} (${b.row.category})`),
    );
    expect(clashes).toEqual([]);
  });
});

describe('conditionForIcd10Code', () => {
  // At least one code for each of the 17 conditions (three for any malignancy), chosen by hand.
  it.each<[string, ConditionId]>([
    ['I21.4', 'myocardial_infarction'],
    ['I50.9', 'congestive_heart_failure'],
    ['I70.2', 'peripheral_vascular_disease'],
    ['I63.9', 'cerebrovascular_disease'],
    ['G45.9', 'cerebrovascular_disease'],
    ['F03', 'dementia'],
    ['G30.9', 'dementia'],
    ['J44.9', 'chronic_pulmonary_disease'],
    ['J45', 'chronic_pulmonary_disease'],
    ['M05.9', 'connective_tissue_disease'],
    ['M32.1', 'connective_tissue_disease'],
    ['K25.9', 'peptic_ulcer_disease'],
    ['B18.2', 'mild_liver_disease'],
    ['K74.6', 'mild_liver_disease'],
    ['E11.9', 'diabetes'],
    ['E10.9', 'diabetes'],
    ['E11.2', 'diabetes_end_organ_damage'],
    ['E10.3', 'diabetes_end_organ_damage'],
    ['G81.9', 'hemiplegia'],
    ['G82.2', 'hemiplegia'],
    ['N18.5', 'moderate_severe_renal_disease'],
    ['Z99.2', 'moderate_severe_renal_disease'],
    ['C50.9', 'tumour'],
    ['C34.1', 'tumour'],
    ['C91.1', 'leukaemia'],
    ['C92.0', 'leukaemia'],
    ['C83.3', 'lymphoma'],
    ['C81.9', 'lymphoma'],
    ['K72.1', 'moderate_severe_liver_disease'],
    ['I85.0', 'moderate_severe_liver_disease'],
    ['C78.0', 'metastatic_solid_tumour'],
    ['C79.5', 'metastatic_solid_tumour'],
    ['B20', 'aids'],
    ['B24', 'aids'],
  ])('%s → %s', (code, condition) => {
    expect(conditionForIcd10Code(code)).toBe(condition);
  });

  // Both sides of a boundary in the published lists.
  it.each<[string, ConditionId | null]>([
    ['I25.2', 'myocardial_infarction'],
    ['I25.1', null],
    ['I25.5', 'congestive_heart_failure'],
    ['I42.0', 'congestive_heart_failure'],
    ['I42.1', null],
    ['I42.4', null],
    ['I42.5', 'congestive_heart_failure'],
    ['I13.0', 'congestive_heart_failure'],
    ['I13.1', 'moderate_severe_renal_disease'],
    ['I13.2', 'congestive_heart_failure'],
    ['I13.9', null],
    ['I73.0', null],
    ['I73.1', 'peripheral_vascular_disease'],
    ['K55.0', null],
    ['K55.1', 'peripheral_vascular_disease'],
    ['H34.0', 'cerebrovascular_disease'],
    ['H34.1', null],
    ['I59', null],
    ['I60', 'cerebrovascular_disease'],
    ['I69.4', 'cerebrovascular_disease'],
    ['F04', null],
    ['F05.0', null],
    ['F05.1', 'dementia'],
    ['J39', null],
    ['J47', 'chronic_pulmonary_disease'],
    ['J48', null],
    ['J68.3', null],
    ['J68.4', 'chronic_pulmonary_disease'],
    ['J70.2', null],
    ['J70.3', 'chronic_pulmonary_disease'],
    ['M35.1', 'connective_tissue_disease'],
    ['M35.2', null],
    ['K24', null],
    ['K28.9', 'peptic_ulcer_disease'],
    ['K29', null],
    ['K70.3', 'mild_liver_disease'],
    ['K70.4', 'moderate_severe_liver_disease'],
    ['K70.9', 'mild_liver_disease'],
    ['K76.0', 'mild_liver_disease'],
    ['K76.1', null],
    ['K76.5', 'moderate_severe_liver_disease'],
    ['K76.8', 'mild_liver_disease'],
    ['E11.1', 'diabetes'],
    ['E11.2', 'diabetes_end_organ_damage'],
    ['E11.5', 'diabetes_end_organ_damage'],
    ['E11.6', 'diabetes'],
    ['E11.7', 'diabetes_end_organ_damage'],
    ['E11.8', 'diabetes'],
    ['E09.9', null],
    ['E15', null],
    ['G80.0', null],
    ['G80.1', 'hemiplegia'],
    ['G83.4', 'hemiplegia'],
    ['G83.5', null],
    ['G83.9', 'hemiplegia'],
    ['N03.1', null],
    ['N03.2', 'moderate_severe_renal_disease'],
    ['N03.7', 'moderate_severe_renal_disease'],
    ['N03.8', null],
    ['N17.9', null],
    ['N18.3', 'moderate_severe_renal_disease'],
    ['Z49.2', 'moderate_severe_renal_disease'],
    ['Z49.3', null],
    ['C26.9', 'tumour'],
    ['C43.9', 'tumour'],
    ['C44.9', null],
    ['C45.0', 'tumour'],
    ['C76.0', 'tumour'],
    ['C77.0', 'metastatic_solid_tumour'],
    ['C80.1', 'metastatic_solid_tumour'],
    ['C81.0', 'lymphoma'],
    ['C86.0', null],
    ['C88.0', 'lymphoma'],
    ['C90.0', 'lymphoma'],
    ['C90.1', 'leukaemia'],
    ['C90.2', 'lymphoma'],
    ['C95.9', 'leukaemia'],
    ['C96.2', 'lymphoma'],
    ['C97', 'tumour'],
    ['D00.0', null],
    ['B22.7', 'aids'],
    ['B23.0', null],
    ['Z21', null],
  ])('%s → %s', (code, condition) => {
    expect(conditionForIcd10Code(code)).toBe(condition);
  });

  it('matches the code with its dot removed, in any case, with longer codes below the prefix', () => {
    expect(conditionForIcd10Code('i252')).toBe('myocardial_infarction');
    expect(conditionForIcd10Code('I25.20')).toBe('myocardial_infarction');
    expect(conditionForIcd10Code('E11.65')).toBe('diabetes');
    expect(conditionForIcd10Code('E1122')).toBe('diabetes_end_organ_damage');
    expect(conditionForIcd10Code('I25.10')).toBeNull();
    // A category alone is not any of its subcategories.
    expect(conditionForIcd10Code('I25')).toBeNull();
    expect(conditionForIcd10Code('E11')).toBeNull();
  });

  it('refuses a malformed code without echoing it', () => {
    expect(() => conditionForIcd10Code('E11.')).toThrow(
      new RangeError('conditionForIcd10Code: not an ICD-10 code'),
    );
  });
});
