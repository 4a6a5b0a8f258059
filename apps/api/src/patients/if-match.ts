import { validationProblem } from '../common/problem/problem';

/**
 * The revision an If-Match header asks for: undefined when absent or `*` (any current record),
 * else the number in a single strong ETag ("3"). Anything else is a 400 naming the header.
 */
export function expectedRevision(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const match = /^"(\d{1,15})"$/.exec(value);
  if (!match) {
    throw validationProblem([
      { field: 'If-Match', message: 'must be the ETag of the record, e.g. "3", or *' },
    ]);
  }
  return Number(match[1]);
}
