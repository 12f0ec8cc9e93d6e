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

/** Lines to stdout, as Envoy's `/dev/stdout` access log. */
export function stdoutAccessLogger(format: AccessLogFormat = 'text'): AccessLogger {
  return createAccessLogger({ format, write: (line) => process.stdout.write(line + '\n') });
}
