import type { ScoreInput } from '@app/scoring';

/** What the score reads of a stored record: the dates, the conditions and the codes. */
export function scoreInputOf(fields: Readonly<Record<string, string>>): ScoreInput {
  return {
    dob: fields.dob,
    dateadmitted: fields.dateadmitted,
    preexistingconditions: fields.preexistingconditions,
    ...(fields.icd10 !== undefined ? { icd10: fields.icd10.split(',') } : {}),
  };
}
