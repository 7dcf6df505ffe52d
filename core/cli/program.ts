import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAdminCommands } from './commands/admin';
import { registerAgentCommands } from './commands/agent';
import { registerCommentCommands } from './commands/comments';
import { registerEmployeeCommands } from './commands/employees';
import { registerInitCommands } from './commands/init';
import { registerNotificationCommands } from './commands/notifications';
import { registerOpsCommands } from './commands/ops';
import { registerProjectCommands } from './commands/projects';
import { registerServeCommands } from './commands/serve';
import { registerSyncCommands } from './commands/sync';
import { registerTaskCommands } from './commands/tasks';
import { registerTeamCommands } from './commands/team';
import { registerMemoryCommands } from './commands/memory';
import { registerInsightsCommands } from './commands/insights';
import { registerSearchCommands } from './commands/search';
import { configureCliLogging } from './context';
import { defaultDatabasePath } from './default-db-path';
import { oneLine, reportError } from './errors';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const HELP_AFTER = () => `
Database:
  --db FILE, else $COORDINATOR_DB, else the desktop app's database:
  ${defaultDatabasePath()}
  Only \`init\` and \`seed-demo\` create a database; other commands need an existing one.

Ids and names:
  Tables show the last 8 characters of each id. Wherever an id is expected you may give the
  whole UUID or any unambiguous part of 8 or more characters from its start or end.
  --project, --assignee and --manager also accept a name (case-insensitive; --assignee and
  --manager an email too), --author a full name or username. "none" clears --assignee and --due.

Output and errors:
  Human-readable text by default. --json prints the created or updated record, or an array for
  lists, each with its "id".
  On failure the exit code is 1 and stderr gets one line, "error: <message>"; with --json,
  stdout also gets {"error":{"code":"VALIDATION|NOT_FOUND|CONFLICT|...","message":"..."}}.
  Log lines go to logs/cli.log in the database's folder (or $COORDINATOR_LOG_FILE), never to the
  terminal; --debug (or COORDINATOR_DEBUG=1) sends them to stderr instead, with the stack of an
  unexpected failure.

Examples:
  coordinator init
  coordinator seed-demo
  coordinator task list --status todo,in_progress --assignee "Maria Garcia"
  coordinator task add --title "Draft release notes" --project "Website Relaunch" --due 2026-04-01
  coordinator task update 3f9c2a1b --status done --actual 3.5
  coordinator notifications --unread --json
  coordinator migrate --pg postgres://admin@db.example.com/coordinator?sslmode=verify-full
  COORDINATOR_PG_URL=postgres://me@db.example.com/coordinator coordinator sync --watch`;

/** The `coordinator` command tree. Nothing here loads the database; actions do, lazily. */
export function buildProgram(): Command {
  const program = new Command('coordinator')
    .description('Coordinator from the terminal: projects, tasks, comments, people and notifications in the local database')
    .version(version(), '-V, --version', 'print the version')
    .option('--db <file>', "database file (default: $COORDINATOR_DB or the desktop app's database)")
    .option('--json', 'machine-readable JSON output')
    .option('--debug', 'write log lines (debug level) to stderr and show the stack of an unexpected failure')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`${oneLine(message)}\n`) })
    .addHelpText('after', HELP_AFTER)
    .hook('preAction', (_program, action) => configureCliLogging(action));
  program.configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  registerInitCommands(program);
  registerProjectCommands(program);
  registerTaskCommands(program);
  registerCommentCommands(program);
  registerEmployeeCommands(program);
  registerNotificationCommands(program);
  registerSyncCommands(program);
  registerServeCommands(program);
  registerTeamCommands(program);
  registerAgentCommands(program);
  registerOpsCommands(program);
  registerSearchCommands(program);
  registerMemoryCommands(program);
  registerInsightsCommands(program);
  registerAdminCommands(program);
  return program;
}

/** Runs the CLI on an argv (process.argv shape) and returns the exit code; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    let json = argv.includes('--json');
    try {
      json = json || Boolean(program.opts<{ json?: boolean }>().json);
    } catch {
      // options unavailable after a parse failure: the argv check stands
    }
    const debug = argv.includes('--debug') || process.env.COORDINATOR_DEBUG === '1';
    return reportError(error, json, undefined, debug);
  }
}
