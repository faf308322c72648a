import type { Report } from '../report.types.ts';
import { timingLine } from './format.ts';

/**
 * The timing sentence of a report. A report collected from the property tests' per-claim results
 * (`flowcheck collect`) has no measured timing (wall time 0, no per-claim times): it says so
 * instead of "0 s wall time on 1 worker".
 */
export function timingText(r: Report): string {
  const t = r.timing as Report['timing'] & { source?: string };
  const collected = t.source === 'collected' || (t.wallSeconds === 0 && Object.keys(t.perClaim).length === 0);
  if (collected) return `Timing not measured (assembled from per-claim results at ${t.finishedAt})`;
  return timingLine(r);
}
