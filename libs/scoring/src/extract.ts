/**
 * Reads conditions out of free text and coded diagnoses: which Charlson conditions are present,
 * which were superseded by the more severe of a pair, which terms and codes meant nothing to the
 * model, and notes for a clinician.
 */
import { type ConditionId, EXCLUSION_PAIRS } from './charlson';
import { COMPILED_NOTE_TERMS, COMPILED_SYNONYMS } from './conditions';
import { ICD10_EVIDENCE_PREFIX, normalizeIcd10Codes } from './icd10';
import { conditionForIcd10Code } from './quan-2005';
import {
  type CueKind,
  type Term,
  allMatches,
  cueFor,
  isNothingTerm,
  matchesAnywhere,
  originalText,
  splitTerms,
} from './text';

export interface Extraction {
  /**
   * Counted conditions, each with what named it: the texts (as written, sorted, unique), then the
   * codes (`icd10:E11.9`, sorted, unique).
   */
  readonly counted: ReadonlyMap<ConditionId, readonly string[]>;
  /** Found, but not counted because the more severe condition of its pair was counted. */
  readonly superseded: ReadonlyMap<ConditionId, readonly string[]>;
  /** Terms that named nothing (as written, sorted), then codes that map to nothing (`icd10:Z00.0`). */
  readonly unrecognized: readonly string[];
  readonly notes: readonly string[];
}

interface Hit {
  readonly condition: ConditionId;
  readonly text: string;
}

/** Everything learnt from one term. */
interface TermReading {
  readonly term: Term;
  hits: Hit[];
  /** Conditions named in the term, counted or not (negated, family history). */
  readonly named: Set<ConditionId>;
  recognized: boolean;
}

/** Findings that only become notes once the whole text has been read. */
interface Findings {
  readonly cues: Map<CueKind, string[]>;
  readonly vetoes: Map<ConditionId, string[]>;
  readonly noteTerms: Map<string, string[]>;
}

const CUE_NOTES: Readonly<Record<CueKind, string>> = {
  negated: 'Negated, not scored',
  family_history: 'Family history, not scored',
};

/** Case-insensitive order with a case-sensitive tie-break, so the order never depends on input order. */
export function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  if (a !== b) return a < b ? -1 : 1;
  return 0;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareText);
}

/** One entry per case-insensitive spelling, keeping the first in `compareText` order. */
function sortedUniqueIgnoringCase(values: Iterable<string>): string[] {
  const byKey = new Map<string, string>();
  for (const v of sortedUnique(values)) {
    const key = v.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, v);
  }
  return [...byKey.values()];
}

function asEvidence(code: string): string {
  return ICD10_EVIDENCE_PREFIX + code;
}

function quoteList(values: Iterable<string>): string {
  return sortedUnique(values)
    .map((v) => JSON.stringify(v))
    .join(', ');
}

/** '"diabetes" in "no diabetes"': what was negated, and where. */
function inContext(matched: string, display: string): string {
  return matched === display
    ? JSON.stringify(display)
    : `${JSON.stringify(matched)} in ${JSON.stringify(display)}`;
}

function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Records a match: a hit, or a negated / family-history finding. */
function record(
  reading: TermReading,
  condition: ConditionId,
  start: number,
  end: number,
  findings: Findings,
): void {
  const { term } = reading;
  reading.recognized = true;
  reading.named.add(condition);
  const matched = originalText(term.raw, term.normalized, start, end);
  const cue = cueFor(term, end);
  if (cue !== null) add(findings.cues, cue, inContext(matched, term.display));
  else reading.hits.push({ condition, text: matched });
}

function hasHit(readings: readonly TermReading[], conditions: readonly ConditionId[]): boolean {
  return readings.some((r) => r.hits.some((h) => conditions.includes(h.condition)));
}

/** Reads the terms of one comma/semicolon-separated item. */
function readItem(terms: readonly Term[], findings: Findings): TermReading[] {
  const readings: TermReading[] = terms.map((term) => ({
    term,
    hits: [],
    named: new Set(),
    recognized: false,
  }));

  for (const reading of readings) {
    const text = reading.term.normalized.text;
    for (const synonyms of COMPILED_SYNONYMS) {
      for (const m of allMatches(synonyms.re, text)) {
        record(reading, synonyms.condition, m.index, m.index + m[0].length, findings);
      }
    }
  }

  // Phrases that depend on another condition nearby ("stage IV" + tumour, "and retinopathy" after
  // diabetes). Judged on the first pass only, so the result does not depend on table order.
  const firstPass = readings.map((r) => ({ ...r, hits: [...r.hits], named: new Set(r.named) }));
  for (const [index, reading] of readings.entries()) {
    const text = reading.term.normalized.text;
    for (const synonyms of COMPILED_SYNONYMS) {
      // Already named in this term on its own terms: the contextual phrase would only repeat it.
      if (firstPass[index].named.has(synonyms.condition)) continue;
      for (const ctx of synonyms.contextual) {
        const scope = ctx.scope === 'term' ? [firstPass[index]] : firstPass;
        if (!hasHit(scope, ctx.requires)) continue;
        for (const m of allMatches(ctx.re, text)) {
          record(reading, synonyms.condition, m.index, m.index + m[0].length, findings);
        }
      }
    }
  }

  for (const reading of readings) {
    const { term } = reading;
    const text = term.normalized.text;
    // Vetoes ("diet-controlled diabetes", "benign tumour") remove a condition for the whole term.
    for (const synonyms of COMPILED_SYNONYMS) {
      const veto = synonyms.veto;
      if (veto === null || !reading.hits.some((h) => h.condition === synonyms.condition)) continue;
      if (matchesAnywhere(veto.re, text)) {
        add(findings.vetoes, synonyms.condition, term.display);
        reading.hits = reading.hits.filter((h) => h.condition !== synonyms.condition);
      }
    }
    // Within one term the milder of a pair describes the same disease ("diabetic nephropathy" also
    // says "diabetic"), so it is dropped rather than reported as superseded.
    for (const { milder, severer } of EXCLUSION_PAIRS) {
      if (reading.hits.some((h) => h.condition === severer)) {
        reading.hits = reading.hits.filter((h) => h.condition !== milder);
      }
    }
    for (const note of COMPILED_NOTE_TERMS) {
      for (const m of allMatches(note.re, text)) {
        reading.recognized = true;
        const end = m.index + m[0].length;
        const cue = cueFor(term, end);
        if (cue === null) add(findings.noteTerms, note.id, term.display);
        else
          add(
            findings.cues,
            cue,
            inContext(originalText(term.raw, term.normalized, m.index, end), term.display),
          );
      }
    }
  }
  return readings;
}

/** Groups terms by item, keeping their order. */
function byItem(terms: readonly Term[]): Term[][] {
  const items = new Map<number, Term[]>();
  for (const term of terms) add(items, term.item, term);
  return [...items.values()];
}

/**
 * `codes` are ICD-10 codes in any accepted spelling (a malformed one throws, see
 * `normalizeIcd10Codes`), mapped with Quan's 2005 algorithm. A condition named by both the text and
 * a code is one condition with both as its evidence, and the pairs apply across both.
 */
export function extractConditions(text: string, codes: readonly string[] = []): Extraction {
  const found = new Map<ConditionId, string[]>();
  const foundByCode = new Map<ConditionId, string[]>();
  const unrecognized: string[] = [];
  const unmappedCodes: string[] = [];
  const findings: Findings = { cues: new Map(), vetoes: new Map(), noteTerms: new Map() };

  const terms = splitTerms(text).filter((t) => !isNothingTerm(t.normalized.text));
  for (const item of byItem(terms)) {
    for (const reading of readItem(item, findings)) {
      for (const hit of reading.hits) add(found, hit.condition, hit.text);
      if (!reading.recognized) unrecognized.push(reading.term.display);
    }
  }

  // Normalised, sorted and unique, so the lists built from it are too.
  for (const code of normalizeIcd10Codes(codes)) {
    const condition = conditionForIcd10Code(code);
    if (condition === null) unmappedCodes.push(code);
    else add(foundByCode, condition, code);
  }

  const counted = new Map<ConditionId, readonly string[]>();
  const superseded = new Map<ConditionId, readonly string[]>();
  for (const condition of new Set([...found.keys(), ...foundByCode.keys()])) {
    counted.set(condition, [
      ...sortedUnique(found.get(condition) ?? []),
      ...(foundByCode.get(condition) ?? []).map(asEvidence),
    ]);
  }
  for (const { milder, severer } of EXCLUSION_PAIRS) {
    const milderTexts = counted.get(milder);
    if (milderTexts !== undefined && counted.has(severer)) {
      counted.delete(milder);
      superseded.set(milder, milderTexts);
    }
  }

  // A note explains why something scored nothing; it is noise if the condition (or the more severe
  // one of its pair) is counted anyway.
  const isCovered = (condition: ConditionId): boolean =>
    counted.has(condition) ||
    EXCLUSION_PAIRS.some((p) => p.milder === condition && counted.has(p.severer));

  // Notes in a fixed order: why HIV / CKD / vetoed terms scored nothing, then negations.
  const notes: string[] = [];
  for (const note of COMPILED_NOTE_TERMS) {
    const displays = findings.noteTerms.get(note.id);
    if (displays !== undefined && !note.unlessCounted.some(isCovered)) {
      notes.push(`${note.note}: ${quoteList(displays)}`);
    }
  }
  for (const synonyms of COMPILED_SYNONYMS) {
    const displays = findings.vetoes.get(synonyms.condition);
    if (synonyms.veto !== null && displays !== undefined && !isCovered(synonyms.condition)) {
      notes.push(`${synonyms.veto.note}: ${quoteList(displays)}`);
    }
  }
  for (const kind of ['negated', 'family_history'] as const) {
    const entries = findings.cues.get(kind);
    if (entries !== undefined)
      notes.push(`${CUE_NOTES[kind]}: ${sortedUnique(entries).join(', ')}`);
  }

  return {
    counted,
    superseded,
    unrecognized: [...sortedUniqueIgnoringCase(unrecognized), ...unmappedCodes.map(asEvidence)],
    notes,
  };
}
