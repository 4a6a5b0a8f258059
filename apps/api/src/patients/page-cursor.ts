import { validationProblem } from '../common/problem/problem';
import { PATIENT_ID_PATTERN } from '../common/validation/patient-id.pipe';

const PREFIX = 'p1:';
const ID = new RegExp(PATIENT_ID_PATTERN);

/**
 * Cursors are opaque to clients (base64url of a versioned "after this id" marker), so the
 * paging scheme can change without breaking them.
 */
export function encodeCursor(afterId: string): string {
  return Buffer.from(PREFIX + afterId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const afterId = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  if (!ID.test(afterId)) {
    throw validationProblem([
      { field: 'cursor', message: 'must be a cursor returned by this API' },
    ]);
  }
  return afterId;
}
