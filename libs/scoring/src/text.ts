/**
 * Free-text handling for `preexistingconditions`: splitting into terms, normalising for matching
 * (while remembering where each character came from, so matches can be quoted as written), and
 * negation / family-history cues.
 */

/** Lower-case text with punctuation removed and single spaces, plus a map back to the raw text. */
export interface NormalizedText {
  readonly text: string;
  /** For each UTF-16 unit of `text`, where its source character starts and ends in the raw string. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

export type CueKind = 'negated' | 'family_history';

export interface Cue {
  readonly kind: CueKind;
  /** 'pre' cues negate what follows them ("no diabetes"), 'post' cues what precedes ("HIV negative"). */
  readonly position: 'pre' | 'post';
  readonly start: number;
  readonly end: number;
}

export interface Term {
  /** Index of the comma/semicolon/newline-separated item the term belongs to. */
  readonly item: number;
  readonly raw: string;
  /** As written, with wrapping quotes, edge punctuation and extra whitespace removed. */
  readonly display: string;
  readonly normalized: NormalizedText;
  readonly cues: readonly Cue[];
  /** A negation (or family-history) cue earlier in the same item that still applies to this term. */
  readonly inherited: CueKind | null;
}

// Items bound the scope of a negation; terms are the units that are matched and reported.
const ITEM_SEPARATOR = /[,;\r\n]+/;
// A slash splits terms except after a single letter, so "h/o", "s/p", "w/", "w/o", "r/o" and "n/a"
// stay whole. The capture group keeps separators in the split output ("but" ends a negation).
const TERM_SEPARATOR = /(\band\b|\bbut\b|&|(?<!\b[a-z])\/)/i;
const SCOPE_TERMINATOR = /^but$/i;

const QUOTES = new Set([
  "'",
  '"',
  '`',
  '\u2018',
  '\u2019',
  '\u201a',
  '\u201c',
  '\u201d',
  '\u201e',
  '\u00b4',
  '\u2032',
  '\u2033',
]);
const LETTER = /^\p{L}$/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /^\p{M}$/u;
const COMBINING_MARKS = /\p{M}+/gu;
const WHITESPACE_RUN = /\s+/g;
// Trims non-alphanumerics from both ends but keeps closing/opening brackets that belong to the term.
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}([]+|[^\p{L}\p{N})\]]+$/gu;

const PRE_CUES: readonly { kind: CueKind; re: RegExp }[] = [
  {
    kind: 'negated',
    re: /\b(?:no|not|never|denies|denied|deny|denying|without|w o|negative for|neg for|free of|absence of|rule out|ruled out|r o)\b/g,
  },
  {
    kind: 'family_history',
    re: /\b(?:family history|family hx|fam hx|fhx|fh)(?: of)?\b/g,
  },
];
const POST_CUES: readonly { kind: CueKind; re: RegExp }[] = [
  { kind: 'negated', re: /\b(?:negative|neg|ruled out|excluded|unlikely)\b/g },
];

/** Terms that say "nothing here"; they are neither scored nor reported as unrecognised. */
const NOTHING_TERM =
  /^(?:none|nil|n a|na|null|nothing|unremarkable|not applicable|none known|no (?:significant )?(?:known )?(?:pmh|past medical history|medical history|(?:medical )?conditions|comorbidities))$/;

/** All matches of a global regex. Resets `lastIndex`, so shared module-level regexes are safe. */
export function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    found.push(m);
    if (m[0].length === 0) re.lastIndex += 1;
  }
  re.lastIndex = 0;
  return found;
}

/** True if the global regex matches anywhere in `text`, without leaving state behind. */
export function matchesAnywhere(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  const hit = re.test(text);
  re.lastIndex = 0;
  return hit;
}

function isQuote(ch: string): boolean {
  return QUOTES.has(ch);
}

function charAt(raw: string, index: number): string {
  if (index < 0 || index >= raw.length) return '';
  const cp = raw.codePointAt(index);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

function fold(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x80) return ch.toLowerCase();
  return ch.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase();
}

/**
 * Lower-cases, strips diacritics, drops apostrophes inside words ("Crohn's" → "crohns") and dots in
 * dotted abbreviations ("M.I." → "mi"), and turns every other non-alphanumeric into a single space.
 */
export function normalizeText(raw: string): NormalizedText {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let pendingSpace = false;
  let prev = '';
  let prevPrev = '';
  for (let i = 0; i < raw.length;) {
    const ch = charAt(raw, i);
    const width = ch.length || 1;
    const next = charAt(raw, i + width);
    if (LETTER_OR_DIGIT.test(ch)) {
      if (pendingSpace && text.length > 0) {
        text += ' ';
        starts.push(i);
        ends.push(i);
      }
      pendingSpace = false;
      const folded = fold(ch);
      for (let k = 0; k < folded.length; k++) {
        starts.push(i);
        ends.push(i + width);
      }
      text += folded;
    } else if (MARK.test(ch)) {
      // A combining accent belongs to the previous letter: dropping it must not split the word.
    } else if (isQuote(ch) && LETTER.test(prev) && LETTER.test(next)) {
      // Apostrophe inside a word.
    } else if (
      ch === '.' &&
      LETTER.test(prev) &&
      !LETTER_OR_DIGIT.test(prevPrev) &&
      LETTER.test(next)
    ) {
      // Dot inside a dotted abbreviation such as "M.I" or "C.V.A".
    } else if (ch === '.' && LETTER.test(prev) && prevPrev === '.') {
      // Final dot of a dotted abbreviation ("M.I.").
    } else {
      pendingSpace = true;
    }
    prevPrev = prev;
    prev = ch;
    i += width;
  }
  return { text, starts, ends };
}

/** The raw text behind normalised positions [start, end), as written. */
export function originalText(
  raw: string,
  normalized: NormalizedText,
  start: number,
  end: number,
): string {
  if (end <= start) return '';
  return raw.slice(normalized.starts[start], normalized.ends[end - 1]);
}

/** Quotes (but not apostrophes inside words) and edge punctuation removed, whitespace collapsed. */
export function displayText(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length;) {
    const ch = charAt(raw, i);
    const width = ch.length || 1;
    if (!isQuote(ch) || (LETTER.test(charAt(raw, i - 1)) && LETTER.test(charAt(raw, i + width)))) {
      out += ch;
    } else {
      out += ' ';
    }
    i += width;
  }
  return out.replace(WHITESPACE_RUN, ' ').replace(EDGE_PUNCTUATION, '').trim();
}

function findCues(text: string): Cue[] {
  const cues: Cue[] = [];
  for (const { kind, re } of PRE_CUES) {
    for (const m of allMatches(re, text)) {
      cues.push({ kind, position: 'pre', start: m.index, end: m.index + m[0].length });
    }
  }
  for (const { kind, re } of POST_CUES) {
    for (const m of allMatches(re, text)) {
      cues.push({ kind, position: 'post', start: m.index, end: m.index + m[0].length });
    }
  }
  return cues.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Splits on commas, semicolons and newlines (items), then on "and", "but", "&" and slashes (terms).
 * A pre-cue applies to the rest of its item ("no diabetes and stroke" negates both) until "but".
 */
export function splitTerms(text: string): Term[] {
  const terms: Term[] = [];
  const items = text.split(ITEM_SEPARATOR);
  for (let item = 0; item < items.length; item++) {
    const pieces = items[item].split(TERM_SEPARATOR);
    let carried: CueKind | null = null;
    for (let p = 0; p < pieces.length; p += 2) {
      if (p > 0 && SCOPE_TERMINATOR.test(pieces[p - 1])) carried = null;
      const raw = pieces[p];
      const display = displayText(raw);
      if (display === '') continue;
      const normalized = normalizeText(raw);
      const cues = findCues(normalized.text);
      terms.push({ item, raw, display, normalized, cues, inherited: carried });
      const firstPre = cues.find((c) => c.position === 'pre');
      if (carried === null && firstPre !== undefined) carried = firstPre.kind;
    }
  }
  return terms;
}

/**
 * Whether a match ending at normalised position `end` in `term` is negated or family history. A pre-cue counts
 * when it ends before the match does, so a cue inside a long match also negates it ("diabetes with no
 * nephropathy" is not end-organ damage); a post-cue counts when it follows the match.
 */
export function cueFor(term: Term, end: number): CueKind | null {
  if (term.inherited !== null) return term.inherited;
  for (const cue of term.cues) {
    if (cue.position === 'pre' && cue.end <= end) return cue.kind;
    if (cue.position === 'post' && cue.start >= end) return cue.kind;
  }
  return null;
}

export function isNothingTerm(normalized: string): boolean {
  return NOTHING_TERM.test(normalized);
}
