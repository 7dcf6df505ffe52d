import type { Command } from 'commander';
import { PROJECT_STATUSES } from '../../../shared/enums';
import type { Project } from '../../../shared/entities';
import { withCore } from '../context';
import { parseDateArg, parseOptionalText } from '../parse';
import { plural, projectStatusLabel, projectsTable, shortId } from '../output';

interface AddOptions {
  name: string;
  description?: string;
  deadline?: string;
  status?: string;
}

export function registerProjectCommands(program: Command): void {
  const project = program.command('project').description('add and list projects');

  project
    .command('add')
    .description('create a project')
    .requiredOption('--name <name>', 'project name (required)')
    .option('--description <text>', 'what the project is about')
    .option('--deadline <date>', 'deadline, YYYY-MM-DD')
    .option('--status <status>', `initial status: ${PROJECT_STATUSES.join(', ')} (default todo); moved along the project workflow`)
    .action((opts: AddOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        // One transaction: a status the workflow refuses leaves no half-made project behind.
        const created: Project = core.writer.transaction(() => {
          const row = core.projects.create({
            name: opts.name,
            description: parseOptionalText(opts.description),
            deadline: parseDateArg(opts.deadline),
          });
          return opts.status === undefined || opts.status === 'todo' ? row : core.projects.setStatus({ id: row.id, status: opts.status });
        });
        if (out.json) return out.data(created);
        out.line(`Created project ${shortId(created.id)} "${created.name}" (${projectStatusLabel(created.status)})`);
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
