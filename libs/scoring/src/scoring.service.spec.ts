import { Test } from '@nestjs/testing';
import { SCORING_MODEL, ScoringModule, ScoringService, scorePatient } from './index';

describe('ScoringModule', () => {
  it('provides a ScoringService that delegates to scorePatient', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ScoringModule] }).compile();
    const service = moduleRef.get(ScoringService);
    const input = {
      dob: '01/01/2010',
      dateadmitted: '01/05/2010',
      preexistingconditions: "'diabetes, hypertension, asthma'",
    };
    expect(service.model).toBe(SCORING_MODEL);
    expect(service.score(input)).toEqual(scorePatient(input));
    expect(service.score(input).cci).toBe(2);
    await moduleRef.close();
  });

  it('passes codes and the weight set through', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ScoringModule] }).compile();
    const service = moduleRef.get(ScoringService);
    // 40 y; CHF: 1 (1987) or 2 (Quan 2011); dementia: 1 or 2
    const input = {
      dob: '01/01/1980',
      dateadmitted: '01/01/2020',
      preexistingconditions: 'CHF',
      icd10: ['F03'],
    };
    expect(service.score(input).cci).toBe(2);
    const quan = service.score(input, { weights: 'quan-2011' });
    expect(quan.weights).toBe('quan-2011');
    expect(quan.cci).toBe(4);
    expect(quan.score).toBeNull();
    await moduleRef.close();
  });
});
