import type { Comment } from '../../shared/entities';
import { idSchema } from '../../shared/entities';
import { commentAddInput, commentEditInput } from '../../shared/inputs';
import { z } from 'zod';
import { AppError, notFound, parseInput } from '../common/errors';
import { newId } from '../common/ids';
import { bool, num, numOrNull, str, strOrNull } from '../common/rows';
import type { ServiceContext } from '../mutations/context';
import type { Row } from '../mutations/types';
import type { UsersService } from '../users/users-service';

export function toComment(r: Row): Comment {
  return {
    id: str(r.id),
    crmCommentId: numOrNull(r.crm_comment_id),
    taskId: str(r.task_id),
    userId: strOrNull(r.user_id),
    authorName: str(r.author),
    content: str(r.content),
    commentOrder: num(r.comment_order),
    isEdited: bool(r.is_edited),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  };
}

const listInput = z.strictObject({ taskId: idSchema });

export function createCommentsService(ctx: ServiceContext, deps: { users: UsersService }) {
  const { writer, statements } = ctx;

  const getRow = (id: string): Comment => {
    const row = writer.get('comments', id);
    if (!row) throw notFound('Comment', id);
    return toComment(row);
  };

  /** Only a comment's author may change it; an admin may also remove it. */
  const assertMayChange = (comment: Comment, action: 'edit' | 'delete') => {
    const actor = deps.users.current();
    const isAuthor = actor !== null && actor.id === comment.userId;
    const isAdminDeleting = action === 'delete' && actor?.role === 'admin';
    if (!isAuthor && !isAdminDeleting) {
      throw new AppError('FORBIDDEN', action === 'edit' ? 'Only the author can edit a comment' : 'Only the author or an admin can delete a comment');
    }
  };

  return {
    getRow,

    list(raw: unknown): Comment[] {
      const { taskId } = parseInput(listInput, raw);
      return (statements.get('SELECT * FROM comments WHERE task_id = ? ORDER BY comment_order, created_at, id').all(taskId) as Row[]).map(toComment);
    },

    add(raw: unknown): Comment {
      const input = parseInput(commentAddInput, raw);
      return writer.transaction(() => {
        if (!writer.get('tasks', input.taskId)) throw notFound('Task', input.taskId);
        const author = input.userId ? deps.users.get(input.userId) : deps.users.ensureCurrent();
        const { next } = statements.get('SELECT coalesce(max(comment_order), 0) + 1 AS next FROM comments WHERE task_id = ?').get(input.taskId) as {
          next: number;
        };
        const now = writer.now;
        const row = writer.insert('comments', {
          id: newId(),
          crm_comment_id: null,
          task_id: input.taskId,
          user_id: author.id,
          author: author.fullName,
          content: input.content,
          comment_order: next,
          is_edited: 0,
          created_at: now,
          updated_at: now,
        });
        return toComment(row);
      });
    },

    edit(raw: unknown): Comment {
      const input = parseInput(commentEditInput, raw);
      return writer.transaction(() => {
        const comment = getRow(input.id);
        assertMayChange(comment, 'edit');
        writer.update('comments', input.id, { content: input.content, is_edited: 1 });
        return getRow(input.id);
      });
    },

    delete(rawId: unknown): { id: string } {
      const id = parseInput(idSchema, rawId, 'comment id');
      writer.transaction(() => {
        assertMayChange(getRow(id), 'delete');
        writer.delete('comments', id);
      });
      return { id };
    },
  };
}

export type CommentsService = ReturnType<typeof createCommentsService>;
