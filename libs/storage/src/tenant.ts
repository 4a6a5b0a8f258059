/** A tenant (a clinic, named by a token claim): letters, digits, `_`, `.` and `-`, 1 to 64. */
export const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Patient ids follow the same rule (the API validates them; storage relies on it for its keys). */
const RECORD_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Refuses a malformed tenant or id before it reaches a key. The API validates both first, so this
 * is a programming error (a 500), never an answer to a client's input.
 */
export function assertAddress(tenant: string, id?: string): void {
  if (!TENANT_PATTERN.test(tenant)) throw new RangeError('invalid tenant name');
  if (id !== undefined && !RECORD_ID_PATTERN.test(id)) throw new RangeError('invalid record id');
}

export function isRecordId(id: string): boolean {
  return RECORD_ID_PATTERN.test(id);
}
