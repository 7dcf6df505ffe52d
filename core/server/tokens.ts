import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../common/errors';
import { loginSchema } from '../sync/transport/protocol';

/**
 * The sync service's tokens (docs/sync-service.md): HS256 JWTs signed with one secret shared by
 * every instance, so any instance accepts any instance's tokens and none keeps sessions. The
 * access token names the person's login, user and central database and lives minutes; the
 * refresh token only buys a new pair, after the person is checked again against the database.
 */
export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 7 * 24 * 60 * 60;
const ISSUER = 'coordinator-sync-service';

export type TokenKind = 'access' | 'refresh';

const claimsSchema = z.object({
  sub: loginSchema,
  uid: z.uuid(),
  /** The central database (sync_meta central_id) the token was issued for: another tenant's token is refused. */
  cid: z.string().min(1),
  typ: z.enum(['access', 'refresh']),
});
export type TokenClaims = z.infer<typeof claimsSchema>;

/** The secret as bytes; shorter than 32 bytes is refused (HS256 needs a key as long as its hash). */
export function secretKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.length < 32) throw new AppError('VALIDATION', 'The token secret must be at least 32 bytes long (e.g. `openssl rand -base64 48`)');
  return key;
}

export async function issueToken(key: Uint8Array, claims: TokenClaims, nowMs = Date.now()): Promise<string> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const ttl = claims.typ === 'access' ? ACCESS_TTL_SECONDS : REFRESH_TTL_SECONDS;
  return new SignJWT({ uid: claims.uid, cid: claims.cid, typ: claims.typ })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttl)
    .sign(key);
}

/** An HTTP 401: the client renews its token (or signs in again) and retries. */
export class Unauthenticated extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/**
 * Signature, issuer, expiry (at `nowMs`, the service's clock) and kind; the central database
 * (`cid`) is checked in the person's transaction.
 */
export async function verifyToken(key: Uint8Array, token: string, kind: TokenKind, nowMs = Date.now()): Promise<TokenClaims & { exp: number }> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'], currentDate: new Date(nowMs) }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw expired();
    throw new Unauthenticated('The token is not valid here (forged, damaged, or signed by another service)');
  }
  const claims = claimsSchema.extend({ exp: z.number() }).safeParse(payload);
  if (!claims.success || claims.data.typ !== kind) throw new Unauthenticated(`The token is not a valid ${kind} token`);
  return claims.data;
}

const expired = () => new Unauthenticated('The token has expired; renew it');

/**
 * `verifyToken` for access tokens, remembering the ones this instance has verified until they
 * expire: a laptop sends the same token with every request for its 15 minutes, and checking its
 * signature each time was a fifth of the service's CPU. Only the signature check is saved (the
 * same string carries the same signature); the expiry is checked on every use, against `nowMs`.
 * At most `max` tokens are kept, the oldest dropped first.
 */
export function accessTokenVerifier(key: Uint8Array, max = 20_000): (token: string, nowMs?: number) => Promise<TokenClaims> {
  const verified = new Map<string, TokenClaims & { exp: number }>();
  return async (token, nowMs = Date.now()) => {
    const known = verified.get(token);
    if (known) {
      if (nowMs / 1000 < known.exp) return known;
      verified.delete(token);
      throw expired();
    }
    const claims = await verifyToken(key, token, 'access', nowMs);
    if (verified.size >= max) verified.delete(verified.keys().next().value as string);
    verified.set(token, claims);
    return claims;
  };
}
