/** The JSON body of every answer of /validate that is not an AdmissionReview (400, 413, 415, 503, 500). */
import type { EnvelopeIssue } from './admission-review-schema.js';

export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly error: string;
  readonly message: string;
  /** For an invalid AdmissionReview: each offending field. */
  readonly fields?: readonly EnvelopeIssue[];
}
