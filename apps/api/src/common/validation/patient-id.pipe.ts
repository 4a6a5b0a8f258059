import { Injectable, PipeTransform } from '@nestjs/common';
import { validationProblem } from '../problem/problem';

/** Ids: letters, digits, `_`, `.` and `-`, 1 to 64 of them (the original's ids fit). */
export const PATIENT_ID_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
const PATIENT_ID = new RegExp(PATIENT_ID_PATTERN);

@Injectable()
export class PatientIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!PATIENT_ID.test(value)) {
      throw validationProblem([
        { field: 'id', message: 'must be 1-64 letters, digits, underscores, dots or hyphens' },
      ]);
    }
    return value;
  }
}
