import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, parseCidr, parseIp } from '../../../src/policy/authz/ip.js';
import { compilePathTemplate } from '../../../src/policy/authz/path-template.js';
import { headerMatch, stringMatch } from '../../../src/policy/authz/string-match.js';

describe('IP blocks', () => {
  it('matches IPv4 and IPv6 CIDRs and bare addresses', () => {
    const inBlock = (cidr: string, ip: string) => cidrContains(parseCidr(cidr) as never, parseIp(ip) as Uint8Array);
    assert.equal(inBlock('10.0.0.0/8', '10.255.1.2'), true);
    assert.equal(inBlock('10.0.0.0/8', '11.0.0.1'), false);
    assert.equal(inBlock('192.168.1.1', '192.168.1.1'), true);
    assert.equal(inBlock('192.168.1.1', '192.168.1.2'), false);
    assert.equal(inBlock('2001:db8::/32', '2001:db8:ffff::1'), true);
    assert.equal(inBlock('::ffff:0:0/96', '::ffff:10.0.0.1'), true);
    assert.equal(inBlock('0.0.0.0/0', '1.2.3.4'), true);
    assert.equal(inBlock('0.0.0.0/0', '::1'), false);
  });

  it('rejects malformed addresses and prefixes', () => {
    for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.0/33', '01.2.3.4', '1::2::3', 'x', '10.0.0.0/', '::1/129']) {
      assert.equal(parseCidr(bad), null, bad);
    }
  });
});

describe('value matching', () => {
  it('treats * as non-empty for strings but as presence for headers', () => {
    assert.equal(stringMatch('*').test(''), false);
    assert.equal(headerMatch('*').test(''), true);
  });

  it('keeps the spiffe:// prefix required for suffix principals', () => {
    assert.equal(stringMatch('*/sa/a', 'spiffe://').test('spiffe://td/ns/x/sa/a'), true);
    assert.equal(stringMatch('*/sa/a', 'spiffe://').test('td/ns/x/sa/a'), false);
  });

  it('compares hosts case-insensitively only when asked', () => {
    assert.equal(headerMatch('Example.com', true).test('EXAMPLE.COM'), true);
    assert.equal(headerMatch('*.Example.com', true).test('a.example.COM'), true);
    assert.equal(headerMatch('GET').test('get'), false);
  });
});

describe('path templates', () => {
  it('compiles {*} to one segment and {**} to the rest, with literal text after it', () => {
    const t = compilePathTemplate('/v/{**}.m3u8') as RegExp;
    assert.equal(t.test('/v/a/b.m3u8'), true);
    assert.equal(t.test('/v/a/b.mp4'), false);
    const one = compilePathTemplate('/a/{*}') as RegExp;
    assert.equal(one.test('/a/b'), true);
    assert.equal(one.test('/a/b/c'), false);
  });

  it('refuses templates Istio refuses', () => {
    assert.equal(typeof compilePathTemplate('/a/{**}/{*}'), 'string');
    assert.equal(typeof compilePathTemplate('/a/{x}'), 'string');
    assert.equal(typeof compilePathTemplate('/a*/{*}'), 'string');
  });
});
