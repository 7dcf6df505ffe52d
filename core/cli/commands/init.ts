import type { Command } from 'commander';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { plural } from '../output';

export function registerInitCommands(program: Command): void {
  program
    .command('init')
    .description('create the database (or bring it up to date) and print its path')
    .action((_opts: object, cmd: Command) =>
      withCore(
        cmd,
        ({ core, dbFile, created, out }) => {
          const empty = core.isEmpty();
          if (out.json) return out.data({ path: dbFile, created, empty });
          out.line(created ? `Created database ${dbFile}` : `Database ready: ${dbFile}`);
          if (empty) out.line('It holds no work yet: add a project with `coordinator project add`, or load sample data with `coordinator seed-demo`.');
        },
        { create: true },
      ),
    );

  program
    .command('seed-demo')
    .description('load the demo organisation (people, projects, ~60 tasks) into an empty database')
    .action((_opts: object, cmd: Command) =>
      withCore(
        cmd,
        ({ core, dbFile, out }) => {
          if (!core.isEmpty()) {
            throw new AppError('CONFLICT', `${dbFile} already holds data; the demo organisation only loads into an empty database (pick a new file with --db)`);
          }
          const result = core.demo.seed();
          const currentUser = core.users.current();
          if (out.json) return out.data({ path: dbFile, ...result, currentUser: currentUser?.fullName ?? null });
          out.line(
            `Loaded the demo organisation into ${dbFile}: ${plural(result.employees, 'employee')}, ${plural(result.projects, 'project')}, ` +
              `${plural(result.tasks, 'task')}, ${plural(result.comments, 'comment')}.`,
          );
          if (currentUser) out.line(`You are signed in as ${currentUser.fullName}.`);
        },
        { create: true },
      ),
    );
}
