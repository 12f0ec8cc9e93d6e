/** Access logs in Istio's default text format and its JSON encoding. */
export { type AccessLogEntry, hostPort } from './entry.js';
export { formatTextLine, formatFlags } from './format-text.js';
export { formatJsonLine } from './format-json.js';
export { batchedLines, createAccessLogger, stdoutAccessLogger, type AccessLogger, type AccessLogFormat } from './access-logger.js';
