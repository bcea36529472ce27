import { hash, verify } from '@node-rs/argon2';
import { SignJWT, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import type { Database, UsersTable } from '../db/schema.js';
import { AppError, unauthorized } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/clock.js';

export type Role = UsersTable['role'];
export type AuthUser = { id: string; username: string; display_name: string; role: Role };

const TOKEN_TTL_S = 12 * 3600;

/**
 * Logins and bearer tokens. Tokens are signed JWTs (HS256 with KEFU_SECRET_KEY), so any
 * instance can verify them without shared session state.
 */
export class AuthService {
  private readonly key: Uint8Array;
  constructor(private readonly db: Kysely<Database>, secret: string, private readonly clock: Clock) {
    this.key = new TextEncoder().encode(`kefu-auth:${secret}`);
  }

  async createUser(u: { username: string; display_name: string; password: string; role: Role }): Promise<AuthUser> {
    const id = newId('u');
    await this.db
      .insertInto('users')
      .values({ id, username: u.username, display_name: u.display_name, role: u.role, password_hash: await hash(u.password), created_at: this.clock.now().toISOString() })
      .execute();
    return { id, username: u.username, display_name: u.display_name, role: u.role };
  }

  async login(username: string, password: string): Promise<{ token: string; user: AuthUser }> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    // verify against a dummy hash when the user is unknown, so timing does not reveal usernames
    const ok = await verify(row?.password_hash ?? DUMMY_HASH, password).catch(() => false);
    if (!row || !ok) throw new AppError(401, 'invalid_credentials', '用户名或密码错误');
    const user: AuthUser = { id: row.id, username: row.username, display_name: row.display_name, role: row.role };
    return { token: await this.issue(user), user };
  }

  issue(user: AuthUser): Promise<string> {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({ name: user.display_name, role: user.role, usr: user.username })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_TTL_S)
      .sign(this.key);
  }

  async verify(token: string): Promise<AuthUser> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: this.clock.now() });
      return { id: String(payload.sub), username: String(payload.usr), display_name: String(payload.name), role: payload.role as Role };
    } catch {
      throw unauthorized('登录已过期，请重新登录');
    }
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$C9BGfWgLXNRyPCkLBOkuig$5gRALMtuyhUi1PrsmVoEgx5yN9ROLUQZYhBoCdiVnYc';
