import seedPatient from './seed-patient.json';

/** The original README's curl body, byte for byte (curl -d sends it unencoded). */
export const SEED_FORM_BODY =
  "fname=Jane&lname=Doe&address='123 Main Street'&city=Richmond&state=Washington&ssn=123-223-2345&email=nr@aaa.com&dob=01/01/2010&contactphone=123-234-3456&drugallergies='Sulpha, Penicillin, Tree Nut'&preexistingconditions='diabetes, hypertension, asthma'&dateadmitted=01/05/2010&insurancedetails='Primera Blue Cross'";

/** The seed's 13 fields, as stored (shared with the benchmark). */
export const SEED_FIELDS: Readonly<typeof seedPatient> = seedPatient;

/** The seed's score: CCI 2 (diabetes 1, chronic pulmonary disease 1, age 0). */
export const SEED_SCORE = 1 - Math.pow(0.983, Math.exp(0.9 * 2));

export function seedWith(
  overrides: Partial<Record<keyof typeof SEED_FIELDS, string>>,
): Record<string, string> {
  return { ...SEED_FIELDS, ...overrides };
}
