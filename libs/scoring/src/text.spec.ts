import {
  allMatches,
  cueFor,
  displayText,
  isNothingTerm,
  normalizeText,
  originalText,
  splitTerms,
} from './text';

describe('normalizeText', () => {
  it.each([
    ["'diabetes, hypertension, asthma'", 'diabetes hypertension asthma'],
    ['Type-2  Diabetes (T2DM)', 'type 2 diabetes t2dm'],
    ["Crohn's disease", 'crohns disease'],
    ['Alzheimer\u2019s', 'alzheimers'],
    ['M.I.', 'mi'],
    ['C.V.A. 2019', 'cva 2019'],
    ['Hx. of COPD', 'hx of copd'],
    ['Sjögren', 'sjogren'],
    ['Waldenstro\u0308m', 'waldenstrom'],
    ['CKD stage 3-5', 'ckd stage 3 5'],
    ['  ', ''],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeText(raw).text).toBe(expected);
  });

  it('maps normalised positions back to the text as written', () => {
    const raw = "  Heart-Attack (2019)'";
    const n = normalizeText(raw);
    expect(n.text).toBe('heart attack 2019');
    expect(originalText(raw, n, 0, 12)).toBe('Heart-Attack');
    expect(originalText(raw, n, 13, 17)).toBe('2019');
    expect(originalText(raw, n, 3, 3)).toBe('');
  });

  it('maps across removed characters', () => {
    const raw = "Crohn's M.I.";
    const n = normalizeText(raw);
    expect(n.text).toBe('crohns mi');
    expect(originalText(raw, n, 0, 6)).toBe("Crohn's");
    expect(originalText(raw, n, 7, 9)).toBe('M.I');
  });
});

describe('displayText', () => {
  it.each([
    ["'hypertension'", 'hypertension'],
    ['  GERD. ', 'GERD'],
    ["Crohn's  disease", "Crohn's disease"],
    ['"pad thai" allergy', 'pad thai allergy'],
    ['Peripheral arterial disease (PAD)', 'Peripheral arterial disease (PAD)'],
    ['- HTN', 'HTN'],
    ["'", ''],
  ])('%j -> %j', (raw, expected) => {
    expect(displayText(raw)).toBe(expected);
  });
});

describe('splitTerms', () => {
  const displays = (text: string) => splitTerms(text).map((t) => t.display);

  it('splits on commas, semicolons, newlines, slashes, "and", "&" and "but"', () => {
    expect(displays("'diabetes, hypertension; asthma\nCOPD/CHF and stroke & TIA but MI'")).toEqual([
      'diabetes',
      'hypertension',
      'asthma',
      'COPD',
      'CHF',
      'stroke',
      'TIA',
      'MI',
    ]);
  });

  it('keeps single-letter abbreviations with a slash whole', () => {
    expect(displays('h/o MI, s/p CABG, T2DM w/ neuropathy, r/o PE, n/a')).toEqual([
      'h/o MI',
      's/p CABG',
      'T2DM w/ neuropathy',
      'r/o PE',
      'n/a',
    ]);
  });

  it('does not split inside words containing "and"', () => {
    expect(displays('Hand injury, Anderson disease')).toEqual(['Hand injury', 'Anderson disease']);
  });

  it('drops empty terms', () => {
    expect(displays(" , ;; ' ' ,and, ")).toEqual([]);
  });

  it('numbers items', () => {
    expect(splitTerms('a and b, c').map((t) => t.item)).toEqual([0, 0, 1]);
  });
});

describe('negation cues', () => {
  const cue = (text: string, word: string, index = 0) => {
    const term = splitTerms(text)[index];
    const at = term.normalized.text.lastIndexOf(word);
    return cueFor(term, at + word.length);
  };

  it.each([
    ['no diabetes', 'diabetes'],
    ['denies stroke', 'stroke'],
    ['without COPD', 'copd'],
    ['negative for HIV', 'hiv'],
    ['not diabetic', 'diabetic'],
    ['never had a stroke', 'stroke'],
    ['r/o MI', 'mi'],
    ['HIV negative', 'hiv'],
    ['MI ruled out', 'mi'],
  ])('%j negates %j', (text, word) => {
    expect(cue(text, word)).toBe('negated');
  });

  it.each([
    ['family history of MI', 'mi'],
    ['FHx: stroke', 'stroke'],
  ])('%j is family history for %j', (text, word) => {
    expect(cue(text, word)).toBe('family_history');
  });

  it.each([
    ['diabetes', 'diabetes'],
    ['diabetes without complications', 'diabetes'],
    ['non-Hodgkin lymphoma', 'lymphoma'],
    ['knocked over, stroke', 'stroke'],
  ])('%j does not negate %j', (text, word) => {
    const terms = splitTerms(text);
    const term = terms[terms.length - 1];
    const at = term.normalized.text.lastIndexOf(word);
    expect(cueFor(term, at + word.length)).toBeNull();
  });

  it('carries to later terms of the same item only', () => {
    const terms = splitTerms('no diabetes and stroke, asthma');
    expect(terms.map((t) => t.inherited)).toEqual([null, 'negated', null]);
  });

  it('stops at "but"', () => {
    const terms = splitTerms('denies stroke but COPD and asthma');
    expect(terms.map((t) => t.inherited)).toEqual([null, null, null]);
  });

  it('does not carry backwards', () => {
    const terms = splitTerms('stroke and no diabetes');
    expect(terms.map((t) => t.inherited)).toEqual([null, null]);
    expect(cue('stroke and no diabetes', 'stroke')).toBeNull();
  });
});

describe('isNothingTerm', () => {
  it.each(['none', 'nil', 'n a', 'no past medical history', 'no known medical conditions'])(
    'treats %j as nothing',
    (text) => {
      expect(isNothingTerm(text)).toBe(true);
    },
  );

  it.each(['no diabetes', 'unknown', 'no known allergies'])(
    'does not treat %j as nothing',
    (text) => {
      expect(isNothingTerm(text)).toBe(false);
    },
  );
});

describe('allMatches', () => {
  it('finds every match and leaves a shared regex reusable', () => {
    const re = /\bab\b/g;
    expect(allMatches(re, 'ab x ab').map((m) => m.index)).toEqual([0, 5]);
    expect(re.lastIndex).toBe(0);
    expect(allMatches(re, 'ab').length).toBe(1);
  });
});
