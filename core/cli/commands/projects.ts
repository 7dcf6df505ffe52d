import type { Command } from 'commander';
import { PROJECT_STATUSES } from '../../../shared/enums';
import type { Project } from '../../../shared/entities';
import { AppError } from '../../common/errors';
import { withCore } from '../context';
import { resolveProject } from '../resolve';
import { parseDateArg, parseOptionalText } from '../parse';
import { plural, projectStatusLabel, projectsTable, shortId } from '../output';

interface UpdateOptions {
  name?: string;
  description?: string;
  deadline?: string;
  status?: string;
}

interface AddOptions {
  name: string;
  description?: string;
  deadline?: string;
  status?: string;
}

export function registerProjectCommands(program: Command): void {
  const project = program.command('project').description('add, change and list projects');

  project
    .command('add')
    .description('create a project')
    .requiredOption('--name <name>', 'project name (required)')
    .option('--description <text>', 'what the project is about')
    .option('--deadline <date>', 'deadline, YYYY-MM-DD')
    .option('--status <status>', `initial status: ${PROJECT_STATUSES.join(', ')} (default todo)`)
    .action((opts: AddOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const created: Project = core.projects.create({
          name: opts.name,
          description: parseOptionalText(opts.description),
          deadline: parseDateArg(opts.deadline),
          status: opts.status,
        });
        if (out.json) return out.data(created);
        out.line(`Created project ${shortId(created.id)} "${created.name}" (${projectStatusLabel(created.status)})`);
      }),
    );

  project
    .command('update')
    .description('change a project; --status moves it along the project workflow')
    .argument('<project>', 'project id (whole UUID or an unambiguous part of ≥ 8 characters) or name')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description ("" clears)')
    .option('--deadline <date>', 'deadline YYYY-MM-DD, or "none"')
    .option('--status <status>', `one of ${PROJECT_STATUSES.join(', ')}`)
    .action((projectArg: string, opts: UpdateOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        if (!Object.values(opts).some((v) => v !== undefined)) {
          throw new AppError('VALIDATION', 'Nothing to update: give at least one of --name, --description, --deadline, --status');
        }
        const id = resolveProject(core, projectArg, '<project>');
        // One transaction: a status the workflow refuses leaves the other fields unchanged too.
        const updated: Project = core.writer.transaction(() => {
          const fields = { name: opts.name, description: parseOptionalText(opts.description), deadline: parseDateArg(opts.deadline) };
          if (Object.values(fields).some((v) => v !== undefined)) core.projects.update({ id, ...fields });
          return opts.status === undefined ? core.projects.getRow(id) : core.projects.setStatus({ id, status: opts.status });
        });
        if (out.json) return out.data(updated);
        out.line(`Updated project ${shortId(updated.id)} "${updated.name}" (${projectStatusLabel(updated.status)})`);
      }),
    );

  project
    .command('list')
    .description('list projects with progress and task counts')
    .action((_opts: object, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const projects = core.projects.list();
        if (out.json) return out.data(projects);
        if (projects.length === 0) return out.line('No projects.');
        out.line(projectsTable(projects));
        out.line(`\n${plural(projects.length, 'project')}`);
      }),
    );
}
