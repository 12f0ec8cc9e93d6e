/**
 * Where access-log lines go: a sink (stdout, a file stream, a test array) and a
 * format. One call per finished request or connection.
 */
import type { AccessLogEntry } from './entry.js';
import { formatJsonLine } from './format-json.js';
import { formatTextLine } from './format-text.js';

export type AccessLogFormat = 'text' | 'json';

export interface AccessLogger {
  log(entry: AccessLogEntry): void;
}

/**
 * @example
 * const lines: string[] = [];
 * const logger = createAccessLogger({ format: 'text', write: (l) => lines.push(l) });
 */
export function createAccessLogger(opts: { format?: AccessLogFormat; write: (line: string) => void }): AccessLogger {
  const format = opts.format === 'json' ? formatJsonLine : formatTextLine;
  return { log: (entry) => opts.write(format(entry)) };
}

/** Flush the batch once it holds this much text, whatever the event loop is doing. */
export const MAX_BATCH_CHARS = 64 * 1024;

/**
 * A line sink that batches: the lines of one event-loop turn go out in one
 * `write` (a busy proxy logs many per turn; one syscall each costs more than
 * the formatting). `flush` empties it now, e.g. before exit.
 *
 * @example
 * const sink = batchedLines((chunk) => process.stdout.write(chunk));
 * sink.write('line one'); sink.write('line two'); // one write of 'line one\nline two\n', on the next turn
 */
export function batchedLines(write: (chunk: string) => void, schedule: (fn: () => void) => void = setImmediate): { write(line: string): void; flush(): void } {
  let batch = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (batch === '') return;
    const chunk = batch;
    batch = '';
    write(chunk);
  };
  return {
    write(line) {
      batch += line + '\n';
      if (batch.length >= MAX_BATCH_CHARS) return flush();
      if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}

/** Lines to stdout, as Envoy's `/dev/stdout` access log, batched per event-loop turn; what is pending is written on exit. */
export function stdoutAccessLogger(format: AccessLogFormat = 'text'): AccessLogger {
  const sink = batchedLines((chunk) => process.stdout.write(chunk));
  // 'exit' runs no more turns: write what is left now (stdout to a file or pipe writes synchronously on Linux).
  process.once('exit', sink.flush);
  return createAccessLogger({ format, write: sink.write });
}
