import type { Command } from 'commander';
import { withCore } from '../context';
import { shortId } from '../output';
import { resolveTaskId, resolveUser } from '../resolve';

interface AddOptions {
  task: string;
  text: string;
  author?: string;
}

export function registerCommentCommands(program: Command): void {
  const comment = program.command('comment').description('comment on tasks');

  comment
    .command('add')
    .description('add a comment to a task')
    .requiredOption('--task <id>', 'task id: whole UUID or an unambiguous part of ≥ 8 characters (required)')
    .requiredOption('--text <text>', 'the comment (required)')
    .option('--author <name>', "author's full name or username (default: the current user)")
    .action((opts: AddOptions, cmd: Command) =>
      withCore(cmd, ({ core, out }) => {
        const taskId = resolveTaskId(core, opts.task);
        const userId = opts.author === undefined ? undefined : resolveUser(core, opts.author, '--author');
        const added = core.comments.add({ taskId, content: opts.text, userId });
        if (out.json) return out.data(added);
        out.line(`Added comment #${added.commentOrder} to task ${shortId(taskId)} as ${added.authorName}`);
      }),
    );
}
