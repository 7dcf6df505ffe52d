import type { Command } from 'commander';
import { withCore } from '../context';
import { employeesTable, plural, shortId } from '../output';
import { isNone, parseOptionalText } from '../parse';
import { resolveEmployee } from '../resolve';

interface AddOptions {
  name: string;
  email: string;
  manager?: string;
  department?: string;
  position?: string;
}

export function registerEmployeeCommands(program: Command): void {
  const employee = program.command('employee').description('add and list employees');

  employee
    .command('add')
    .description('add an employee')
    .requiredOption('--name <name>', 'full name (required)')
    .requiredOption('--email <email>', 'email address (required)')
    .option('--manager <employee>', "manager's employee id, name or email")
    .option('--department <department>', 'department')
    .option('--position <position>', 'job title')
    .action((opts: AddOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const created = core.employees.create({
          name: opts.name,
          email: opts.email.trim(),
          managerId: opts.manager === undefined || isNone(opts.manager) ? undefined : resolveEmployee(core, opts.manager, '--manager'),
          department: parseOptionalText(opts.department),
          position: parseOptionalText(opts.position),
        });
        if (out.json) return out.data(created);
        const manager = created.managerId ? `, reporting to ${core.employees.get(created.managerId).name}` : '';
        out.line(`Added employee ${shortId(created.id)} ${created.name} <${created.email}>${manager}`);
      }),
    );

  employee
    .command('list')
    .description('list employees with their managers and open tasks')
    .action((_opts: object, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const employees = core.employees.list();
        if (out.json) return out.data(employees);
        if (employees.length === 0) return out.line('No employees.');
        out.line(employeesTable(employees));
        out.line(`\n${plural(employees.length, 'employee')}`);
      }),
    );
}
