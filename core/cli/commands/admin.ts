import type { Command } from 'commander';
import type pg from 'pg';
import { isTlsMode, TLS_MODES } from '../../../shared/settings';
import type { TeamMember } from '../../admin';
import { AppError } from '../../common/errors';
import { createOutput, table } from '../output';

interface PgOpts {
  pg?: string;
  sslmode?: string;
  allowPlaintextPassword?: boolean;
}

interface PasswordOpts {
  passwordStdin?: boolean;
  passwordPrompt?: boolean;
}

const PASSWORD_ENV = 'COORDINATOR_NEW_PASSWORD';

function withPgOptions(cmd: Command): Command {
  return cmd
    .option('--pg <url>', 'central database URL (or COORDINATOR_PG_URL)')
    .option('--sslmode <mode>', 'disable | require | verify-ca | verify-full (overrides the URL)')
    .option('--allow-plaintext-password', 'permit sending the password without TLS to another machine (refused by default)');
}

/** One connection for one command, closed whatever happens. */
async function withCentral<T>(opts: PgOpts, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = opts.pg ?? process.env.COORDINATOR_PG_URL;
  if (!url) throw new AppError('VALIDATION', 'Give the central database with --pg URL or COORDINATOR_PG_URL');
  if (opts.sslmode !== undefined && !isTlsMode(opts.sslmode)) throw new AppError('VALIDATION', `--sslmode must be one of ${TLS_MODES.join(', ')}`);
  const { connectCentral } = await import('../../sync/central/connect');
  const { describeSyncError } = await import('../../sync/errors');
  const client = await connectCentral({ url, sslMode: opts.sslmode, allowPlaintextPassword: opts.allowPlaintextPassword }).catch((error: unknown) => {
    if (error instanceof AppError) throw error;
    // A refused or unknown login, an unreachable server: the same words the sync uses.
    throw new AppError('UNAVAILABLE', describeSyncError(error));
  });
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed (readline writing to a muted stream). */
async function promptHidden(question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const { Writable } = await import('node:stream');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      muted = true;
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new AppError('VALIDATION', '--password-prompt needs a terminal; pipe the password with --password-stdin instead');
  const first = await promptHidden('New password: ');
  const second = await promptHidden('Again: ');
  if (first !== second) throw new AppError('VALIDATION', 'The two passwords differ; nothing was changed');
  return first;
}

/**
 * The new password is typed at a prompt that does not echo (--password-prompt), or comes from stdin
 * (--password-stdin) or $COORDINATOR_NEW_PASSWORD — never from
 * an argument, which `ps` would show — or is generated and printed once.
 */
async function newPassword(opts: PasswordOpts): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordStdin && opts.passwordPrompt) throw new AppError('VALIDATION', 'Give either --password-stdin or --password-prompt, not both');
  if (opts.passwordPrompt) return { password: await promptPassword(), generated: false };
  if (opts.passwordStdin) {
    const password = await readStdin();
    if (!password) throw new AppError('VALIDATION', '--password-stdin was given but stdin held no password');
    return { password, generated: false };
  }
  const fromEnv = process.env[PASSWORD_ENV];
  if (fromEnv) return { password: fromEnv, generated: false };
  const { generatePassword } = await import('../../admin');
  return { password: generatePassword(), generated: true };
}

const json = (cmd: Command) => Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);

function describe(m: TeamMember): string {
  return `${m.username} (${m.fullName}) — role ${m.role}, login ${m.login ?? 'none'}${m.login && !m.canLogin ? ' (cannot log in)' : ''}`;
}

function printMember(cmd: Command, m: TeamMember, verb: string, password?: { password: string; generated: boolean }): void {
  const out = createOutput(json(cmd));
  const shown = password?.generated ? { generatedPassword: password.password } : {};
  if (out.json) return out.data({ ...m, ...shown });
  out.line(`${verb} ${describe(m)}`);
  if (password?.generated) out.line(`Generated password (shown once, give it to ${m.username} privately): ${password.password}`);
}

export function registerAdminCommands(program: Command): void {
  withPgOptions(
    program.command('whoami').description('ask the central database which Coordinator user and role this login is (the server decides, from the login)'),
  ).action(async (opts: PgOpts, cmd: Command) => {
    const { whoami } = await import('../../admin');
    const me = await withCentral(opts, (c) => whoami(c));
    const out = createOutput(json(cmd));
    if (out.json) out.data(me);
    else out.line(`${me.username} (${me.fullName} <${me.email}>) — role ${me.role}, login ${me.login}, user id ${me.userId}`);
  });

  const admin = program.command('admin').description("administer the central database's team (needs an administrator's PostgreSQL login)");
  const user = admin.command('user').description('give people access to the central database, change their role, take it away');

  withPgOptions(
    user
      .command('add')
      .description('create or find the user, create their database login with a password, map it and set their role')
      .argument('<username>', 'the Coordinator username (created when --email is given and it does not exist)')
      .requiredOption('--role <role>', 'admin | coordinator | member')
      .option('--email <email>', 'email, to create a user that does not exist yet')
      .option('--name <full name>', 'full name, to create a user that does not exist yet')
      .option('--login <name>', 'the database login (default: the username); lowercase letters, digits, underscores')
      .option('--password-stdin', `read the password from stdin (else $${PASSWORD_ENV}, else one is generated and printed once)`)
      .option('--password-prompt', 'type the password at a prompt that does not echo it'),
  ).action(async (username: string, opts: PgOpts & PasswordOpts & { role: string; email?: string; name?: string; login?: string }, cmd: Command) => {
    const { addUser, parseTeamRole, assertSafeLogin } = await import('../../admin');
    const role = parseTeamRole(opts.role);
    assertSafeLogin(opts.login ?? username.toLowerCase(), opts.login ? 'login' : 'username');
    const password = await newPassword(opts);
    const m = await withCentral(opts, (c) => addUser(c, { username, role, email: opts.email, fullName: opts.name, login: opts.login, password: password.password }));
    printMember(cmd, m, 'Access given:', password);
  });

  withPgOptions(
    user.command('grant').description("change a user's role (their login's row-level security follows)").argument('<username>').argument('<role>', 'admin | coordinator | member'),
  ).action(async (username: string, roleText: string, opts: PgOpts, cmd: Command) => {
    const { grantRole, parseTeamRole } = await import('../../admin');
    const role = parseTeamRole(roleText);
    printMember(cmd, await withCentral(opts, (c) => grantRole(c, username, role)), 'Role set:');
  });

  withPgOptions(
    user.command('revoke').description("take a user's access away at once: the login can no longer connect, open sessions are cut, the mapping is dropped").argument('<username>'),
  ).action(async (username: string, opts: PgOpts, cmd: Command) => {
    const { revokeUser } = await import('../../admin');
    const r = await withCentral(opts, (c) => revokeUser(c, username));
    const out = createOutput(json(cmd));
    if (out.json) out.data(r);
    else out.line(`Access revoked: ${r.user.username} (login ${r.logins.join(', ')}); ${r.sessionsEnded} open session(s) ended. Work not yet synced stays on their laptop.`);
  });

  withPgOptions(user.command('list').description('users with their login and role (never passwords)')).action(async (opts: PgOpts, cmd: Command) => {
    const { listUsers } = await import('../../admin');
    const users = await withCentral(opts, (c) => listUsers(c));
    const out = createOutput(json(cmd));
    if (out.json) return out.data(users);
    out.line(
      table(
        [{ header: 'USERNAME' }, { header: 'NAME' }, { header: 'ROLE' }, { header: 'LOGIN' }, { header: 'ACCESS' }],
        users.map((u) => [u.username, u.fullName, u.role, u.login ?? '—', u.login ? (u.canLogin ? 'yes' : 'disabled') : 'none']),
      ),
    );
  });

  withPgOptions(
    user
      .command('reset-password')
      .description("set a new password on a user's login")
      .argument('<username>')
      .option('--password-stdin', `read the password from stdin (else $${PASSWORD_ENV}, else one is generated and printed once)`)
      .option('--password-prompt', 'type the password at a prompt that does not echo it'),
  ).action(async (username: string, opts: PgOpts & PasswordOpts, cmd: Command) => {
    const { resetPassword } = await import('../../admin');
    const password = await newPassword(opts);
    printMember(cmd, await withCentral(opts, (c) => resetPassword(c, username, password.password)), 'Password reset:', password);
  });
}
