import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/common/errors';
import { assertPasswordTransport, isLoopbackHost, parseTlsMode, tlsOptions } from '../../../core/common/transport-security';
import { resolveClientConfig } from '../../../core/sync/central/connect';

describe('transport security rules', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['db.localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['/var/run/postgresql', true],
    ['', true],
    ['10.0.0.5', false],
    ['192.168.1.20', false],
    ['128.0.0.1', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['db.example.com', false],
    ['::2', false],
    ['[fe80::1]', false],
    ['0.0.0.0', false],
  ])('isLoopbackHost(%j) is %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('reads libpq and MySQL TLS mode names, and refuses modes that may fall back to plain text', () => {
    expect(parseTlsMode(undefined)).toBe('disable');
    expect(parseTlsMode('', 'require')).toBe('require');
    expect(parseTlsMode('REQUIRED')).toBe('require');
    expect(parseTlsMode('verify_identity')).toBe('verify-full');
    expect(parseTlsMode('VERIFY_CA')).toBe('verify-ca');
    expect(parseTlsMode('DISABLED')).toBe('disable');
    for (const mode of ['prefer', 'PREFERRED', 'allow']) expect(() => parseTlsMode(mode)).toThrow(/fall back to plain text/);
    expect(() => parseTlsMode('maybe')).toThrow(AppError);
  });

  it('maps modes to Node TLS options: require encrypts, verify-* check the certificate', () => {
    expect(tlsOptions('disable')).toBe(false);
    expect(tlsOptions('require')).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions('verify-full', 'PEM')).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
    const ca = tlsOptions('verify-ca');
    expect(ca && ca.rejectUnauthorized).toBe(true);
    expect(ca && ca.checkServerIdentity?.()).toBeUndefined();
  });

  it('refuses a clear-text password to another machine unless TLS is on or it was allowed', () => {
    const base = { service: 'PostgreSQL', host: 'db.example.com', tls: 'disable' as const, hasPassword: true };
    expect(() => assertPasswordTransport(base)).toThrow(/Refusing to send a password in clear text to PostgreSQL at db\.example\.com/);
    try {
      assertPasswordTransport(base);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('FORBIDDEN');
    }
    expect(() => assertPasswordTransport({ ...base, tls: 'require' })).not.toThrow();
    expect(() => assertPasswordTransport({ ...base, allowPlaintextPassword: true })).not.toThrow();
    expect(() => assertPasswordTransport({ ...base, hasPassword: false })).not.toThrow();
    expect(() => assertPasswordTransport({ ...base, host: '127.0.0.1' })).not.toThrow();
  });
});

describe('the central PostgreSQL connection applies them', () => {
  const refused: [string, Parameters<typeof resolveClientConfig>[0]][] = [
    ['password to a LAN host', { url: 'postgres://coord:pw@10.0.0.5/coordinator' }],
    ['sslmode=disable spelled out', { url: 'postgres://coord:pw@db.example.com/c?sslmode=disable' }],
    ['a loopback URL host overridden by ?host=', { url: 'postgres://coord:pw@localhost/c?host=10.0.0.5' }],
    ['the option overriding a TLS URL', { url: 'postgres://coord:pw@db.example.com/c?sslmode=require', sslMode: 'disable' }],
  ];
  it.each(refused)('refuses %s', (_label, config) => {
    expect(() => resolveClientConfig(config)).toThrow(/Refusing to send a password in clear text/);
  });

  it('allows TLS, loopback, sockets, passwordless logins and the explicit opt-in; and never echoes the password', () => {
    expect(resolveClientConfig({ url: 'postgres://coord:pw@db.example.com/c?sslmode=verify-full' }).ssl).toEqual({ rejectUnauthorized: true });
    expect(resolveClientConfig({ url: 'postgres://coord:pw@db.example.com/c?sslmode=require' }).ssl).toEqual({ rejectUnauthorized: false });
    expect(resolveClientConfig({ url: 'postgres://coord:pw@127.0.0.1/c' }).ssl).toBe(false);
    expect(resolveClientConfig({ url: 'postgres://coord:pw@localhost/c?host=/var/run/postgresql' }).ssl).toBe(false);
    expect(resolveClientConfig({ url: 'postgres://coord@db.example.com/c' }).ssl).toBe(false);
    expect(resolveClientConfig({ url: 'postgres://coord:pw@db.example.com/c', allowPlaintextPassword: true }).ssl).toBe(false);
    expect(() => resolveClientConfig({ url: 'postgres://coord:pw@db.example.com/c?sslmode=prefer' })).toThrow(/fall back/);
    try {
      resolveClientConfig({ url: 'postgres://coord:T0p-s3cret@db.example.com/c' });
    } catch (error) {
      expect((error as Error).message).not.toContain('T0p-s3cret');
    }
  });
});
