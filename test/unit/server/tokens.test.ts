/**
 * The sync service's access-token check remembers tokens it verified (core/server/tokens.ts): what
 * it remembers must never outlive the token, nor let another string through.
 */
import { describe, expect, it } from 'vitest';
import { accessTokenVerifier, ACCESS_TTL_SECONDS, issueToken, secretKey, Unauthenticated } from '../../../core/server/tokens';

const key = secretKey('a-unit-test-secret-of-more-than-thirty-two-bytes');
const claims = { sub: 'mia_1', uid: '0b6f3c1e-8a2d-4c7e-9f10-2b3c4d5e6f70', cid: 'central-1' };

describe('accessTokenVerifier', () => {
  it('accepts a verified token again until it expires, then refuses it as expired', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const token = await issueToken(key, { ...claims, typ: 'access' }, now);
    const verify = accessTokenVerifier(key);
    await expect(verify(token, now)).resolves.toMatchObject({ sub: 'mia_1', typ: 'access' });
    await expect(verify(token, now + (ACCESS_TTL_SECONDS - 1) * 1000)).resolves.toMatchObject({ sub: 'mia_1' });
    await expect(verify(token, now + ACCESS_TTL_SECONDS * 1000)).rejects.toThrow(/expired/);
    // Forgotten once seen expired; at the real time it is valid again and the full check says so.
    await expect(verify(token)).resolves.toMatchObject({ sub: 'mia_1' });
  });

  it('refuses a refresh token, a token signed with another secret, and a cached token with its payload changed', async () => {
    const verify = accessTokenVerifier(key);
    const access = await issueToken(key, { ...claims, typ: 'access' });
    await verify(access);
    const [header, payload, signature] = access.split('.');
    const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()), sub: 'ben_2' })).toString('base64url');
    for (const token of [
      await issueToken(key, { ...claims, typ: 'refresh' }),
      await issueToken(secretKey('another-secret-of-more-than-thirty-two-bytes'), { ...claims, typ: 'access' }),
      `${header}.${changed}.${signature}`,
    ]) {
      await expect(verify(token)).rejects.toBeInstanceOf(Unauthenticated);
    }
  });

  it('keeps at most `max` tokens and still verifies the ones it dropped', async () => {
    const verify = accessTokenVerifier(key, 2);
    const tokens = await Promise.all(['a_1', 'b_1', 'c_1'].map((sub) => issueToken(key, { ...claims, sub, typ: 'access' })));
    for (const t of tokens) await verify(t);
    await expect(verify(tokens[0] as string)).resolves.toMatchObject({ sub: 'a_1' });
  });
});
