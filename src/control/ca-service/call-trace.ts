/**
 * Per-call timestamps of the CA API, for finding where a slow call spent its time
 * (bench/ca-service with BENCH_TRACE=1). Published on a diagnostics channel only
 * while something subscribes, so the serving path pays one `hasSubscribers` check
 * per call otherwise. Times are `performance.timeOrigin + performance.now()` in ms:
 * comparable across processes of one machine, so a client's send and receive line
 * up with the server's stamps.
 */
import diagnostics from 'node:diagnostics_channel';
import { stampClock, type IssueStamps } from '../../identity/ca/issue.js';

export const CA_CALL_TRACE_CHANNEL = 'meshguard:ca:call-trace';
const channel = diagnostics.channel(CA_CALL_TRACE_CHANNEL);

/** One call: handler entry, worker post and done (issuance only), response handed to gRPC. */
export interface CaCallTrace extends IssueStamps {
  method: string;
  /** The issued leaf's serial (hex), which the client sees in the response. */
  serial?: string;
  entry: number;
  sent?: number;
  ok?: boolean;
}

/** Now, on the clock every trace uses. */
export const traceClock = stampClock;

/**
 * A trace for this call if anyone listens, else undefined (and nothing is stamped).
 * @example
 *   const trace = startCallTrace('Renew');
 *   // … handle, filling trace.workerPost / workerDone / serial …
 *   if (trace) finishCallTrace(trace, true);
 */
export function startCallTrace(method: string): CaCallTrace | undefined {
  return channel.hasSubscribers ? { method, entry: traceClock() } : undefined;
}

/**
 * Stamps the response and publishes the trace.
 * @example finishCallTrace(trace, true);
 */
export function finishCallTrace(trace: CaCallTrace, ok: boolean): void {
  trace.sent = traceClock();
  trace.ok = ok;
  channel.publish(trace);
}
