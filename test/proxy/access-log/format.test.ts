import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJsonLine, formatTextLine, type AccessLogEntry } from '../../../src/proxy/access-log/index.js';

const NR: AccessLogEntry = {
  startTime: new Date('2025-05-01T08:32:08.511Z'), responseCode: 0, responseFlags: ['NR'], responseCodeDetails: 'filter_chain_not_found',
  bytesReceived: 0, bytesSent: 0, durationMs: 0, downstreamLocalAddress: '10.10.0.17:8080', downstreamRemoteAddress: '10.10.0.16:51930',
  connectionSecurityPolicy: 'none',
};

test('prints the seed\'s plaintext-to-STRICT line exactly', () => {
  assert.equal(formatTextLine(NR), '[2025-05-01T08:32:08.511Z] "- - -" 0 NR filter_chain_not_found - "-" 0 0 0 - "-" "-" "-" "-" "-" - - 10.10.0.17:8080 10.10.0.16:51930 - -');
});

test('prints the seed\'s denial line exactly', () => {
  const e: AccessLogEntry = {
    startTime: new Date('2025-05-03T14:45:31.051Z'), method: 'GET', path: '/api/catalog', protocol: 'HTTP/1.1', responseCode: 403, responseFlags: [],
    responseCodeDetails: 'rbac_access_denied_matched_policy[none]', bytesReceived: 0, bytesSent: 19, durationMs: 0, userAgent: 'curl/8.5.0',
    requestId: 'f1ec493b-1', authority: 'webapp.istioinaction', upstreamCluster: 'inbound|8080||', downstreamLocalAddress: '10.10.0.3:8080',
    downstreamRemoteAddress: '10.10.0.13:60780', connectionSecurityPolicy: 'none',
  };
  assert.equal(formatTextLine(e), '[2025-05-03T14:45:31.051Z] "GET /api/catalog HTTP/1.1" 403 - rbac_access_denied_matched_policy[none] - "-" 0 19 0 - "-" "curl/8.5.0" "f1ec493b-1" "webapp.istioinaction" "-" inbound|8080|| - 10.10.0.3:8080 10.10.0.13:60780 - -');
});

test('a client cannot forge a second log line or break quoting through its headers', () => {
  const line = formatTextLine({ ...NR, userAgent: 'x"\n[2025-01-01T00:00:00.000Z] "GET /admin' });
  assert.equal(line.split('\n').length, 1);
  assert.ok(line.includes('"x\\x22\\x0a[2025'), line);
});

test('the JSON format keeps numbers as numbers and absent values as null', () => {
  const e = JSON.parse(formatJsonLine(NR)) as Record<string, unknown>;
  assert.equal(e.response_code, 0);
  assert.equal(e.response_flags, 'NR');
  assert.equal(e.response_code_details, 'filter_chain_not_found');
  assert.equal(e.method, null);
  assert.equal(e.downstream_remote_address, '10.10.0.16:51930');
});
