import { ContractValidator } from './contract';
import type { HttpResult } from './https-client';

const answer = (status: number, body: unknown, type = 'application/json'): HttpResult => {
  const text = body === undefined ? '' : JSON.stringify(body);
  return { status, headers: { 'content-type': type }, text, json: () => JSON.parse(text) };
};

const patient = {
  address: "'123 Main Street'",
  city: 'Richmond',
  contactphone: '123-234-3456',
  dateadmitted: '01/05/2010',
  dob: '01/01/2010',
  drugallergies: "'Sulpha'",
  email: 'nr@aaa.com',
  fname: 'Jane',
  id: 'patient_3',
  insurancedetails: "'Primera'",
  lname: 'Doe',
  preexistingconditions: "'asthma'",
  score: 0.05,
  ssn: '123-223-2345',
  state: 'Washington',
};

/** The contract checker itself must be able to fail, or the e2e suites prove nothing. */
describe('ContractValidator', () => {
  const validator = new ContractValidator();

  it('accepts an answer the contract describes', () => {
    expect(() => validator.check('GET', '/patient/patient_3', answer(200, patient))).not.toThrow();
    const problem = { type: 'urn:x', title: 'Patient not found', status: 404 };
    expect(() =>
      validator.check('GET', '/patient/x?y=1', answer(404, problem, 'application/problem+json')),
    ).not.toThrow();
  });

  it('refuses a status the operation does not document', () => {
    expect(() => validator.check('GET', '/patient/patient_3', answer(418, {}))).toThrow(
      /documents no 418/,
    );
  });

  it('refuses a body that does not match the schema', () => {
    const { ssn: _, ...withoutSsn } = patient;
    expect(() => validator.check('GET', '/patient/patient_3', answer(200, withoutSsn))).toThrow(
      /ssn/,
    );
    expect(() =>
      validator.check('GET', '/patient/p', answer(200, { ...patient, score: 'high' })),
    ).toThrow(/score/);
  });

  it('refuses an undocumented media type', () => {
    expect(() =>
      validator.check('GET', '/patient/p', answer(404, { status: 404 }, 'application/json')),
    ).toThrow(/media type application\/json is not documented/);
  });

  it('refuses a body on an answer documented without one', () => {
    expect(() => validator.check('DELETE', '/patient/p', answer(204, { gone: true }))).toThrow(
      /no body/,
    );
  });

  it('leaves paths and methods outside the contract to their tests', () => {
    expect(() => validator.check('GET', '/nothing/here', answer(404, {}))).not.toThrow();
    expect(() => validator.check('PATCH', '/patient/p', answer(404, {}))).not.toThrow();
  });
});
