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
});
