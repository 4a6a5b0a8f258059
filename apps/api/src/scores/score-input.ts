import type { ScoreInput } from '@app/scoring';

/** What the score reads of a stored record: the dates and the conditions. */
export function scoreInputOf(fields: Readonly<Record<string, string>>): ScoreInput {
  return {
    dob: fields.dob,
    dateadmitted: fields.dateadmitted,
    preexistingconditions: fields.preexistingconditions,
  };
}
