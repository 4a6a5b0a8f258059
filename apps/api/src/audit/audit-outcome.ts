/** How an audited request ended; derived from the error catalogue for every failure. */
export type AuditOutcome =
  | 'success'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'invalid'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited'
  | 'unavailable'
  | 'integrity_failure'
  | 'error';
