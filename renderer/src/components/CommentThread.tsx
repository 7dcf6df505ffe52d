import { useState } from 'react';
import type { Comment } from '../../../shared/entities';
import { call, splitErrors, toApiError, type ApiError } from '../api';
import { useApp } from '../lib/appContext';
import { formatDateTime, timeAgo } from '../lib/format';
import { useQuery } from '../lib/useQuery';
import { Avatar } from './Avatar';
import { Loading } from './EmptyState';
import { ErrorBanner } from './ErrorBanner';

export function CommentThread({ taskId }: { taskId: string }) {
  const { info } = useApp();
  const comments = useQuery('comments.list', { taskId }, { tables: ['comments'] });
  const [draft, setDraft] = useState('');
  const [posting, setPosting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();

  const add = async () => {
    if (posting) return;
    setPosting(true);
    setError(null);
    setFieldError(undefined);
    try {
      await call('comments.add', { taskId, content: draft });
      setDraft('');
      comments.reload();
    } catch (err) {
      const { fields, general } = splitErrors(err, ['content']);
      setFieldError(fields.content);
      setError(general);
    } finally {
      setPosting(false);
    }
  };

  const list = comments.data ?? [];
  const me = info.currentUser;
  const canModify = (c: Comment) => Boolean(me && (c.userId === me.id || me.role === 'admin'));

  return (
    <div className="comments">
      {comments.error ? <ErrorBanner error={comments.error} title="Could not load comments" onRetry={comments.reload} /> : null}
      {error ? <ErrorBanner error={error} title="Comment not saved" onDismiss={() => setError(null)} /> : null}
      {!comments.data && comments.loading ? <Loading label="Loading comments…" /> : null}
      {comments.data && list.length === 0 ? <p className="muted comments-empty">No comments yet. Start the conversation.</p> : null}
      <ol className="comment-list">
        {list.map((c) => (
          <CommentItem key={c.id} comment={c} editable={canModify(c)} onChanged={comments.reload} />
        ))}
      </ol>
      <form
        className="comment-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label htmlFor={`comment-${taskId}`} className="sr-only">
          Write a comment
        </label>
        <textarea
          id={`comment-${taskId}`}
          className={`input textarea${fieldError ? ' invalid' : ''}`}
          data-testid="comment-input"
          aria-label="Write a comment"
          aria-invalid={fieldError ? true : undefined}
          placeholder="Leave a comment…"
          rows={3}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void add();
            }
          }}
        />
        {fieldError ? (
          <div className="field-error" role="alert">
            Comment {fieldError}
          </div>
        ) : null}
        <div className="comment-form-actions">
          <span className="footer-hint">
            <kbd>Ctrl</kbd> <kbd>Enter</kbd> to send
          </span>
          <button type="submit" className="btn btn-primary btn-small" data-testid="comment-submit" disabled={posting || !draft.trim()}>
            {posting ? 'Sending…' : 'Comment'}
          </button>
        </div>
      </form>
    </div>
  );
}

function CommentItem({ comment, editable, onChanged }: { comment: Comment; editable: boolean; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(comment.content);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setEditing(false);
      setConfirmDelete(false);
      onChanged();
    } catch (err) {
      const e = toApiError(err);
      setError(e.fieldErrors().content ? `Comment ${e.fieldErrors().content}` : e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="comment" data-testid="comment-item" data-comment-id={comment.id}>
      <Avatar name={comment.authorName} size={24} />
      <div className="comment-main">
        <div className="comment-head">
          <span className="comment-author">{comment.authorName}</span>
          <time dateTime={comment.createdAt} title={formatDateTime(comment.createdAt)} className="muted">
            {timeAgo(comment.createdAt)}
          </time>
          {comment.isEdited ? <span className="muted">(edited)</span> : null}
          {editable && !editing ? (
            <span className="comment-actions">
              {confirmDelete ? (
                <>
                  <span className="muted">Delete?</span>
                  <button type="button" className="link-btn danger" disabled={busy} onClick={() => void run(() => call('comments.delete', { id: comment.id }))}>
                    Yes, delete
                  </button>
                  <button type="button" className="link-btn" onClick={() => setConfirmDelete(false)}>
                    Cancel
                  </button>
                </>
              ) : (
                <>
                  <button
                    type="button"
                    className="link-btn"
                    onClick={() => {
                      setDraft(comment.content);
                      setEditing(true);
                    }}
                  >
                    Edit
                  </button>
                  <button type="button" className="link-btn" onClick={() => setConfirmDelete(true)}>
                    Delete
                  </button>
                </>
              )}
            </span>
          ) : null}
        </div>
        {editing ? (
          <div className="comment-edit">
            <textarea
              className="input textarea"
              aria-label="Edit comment"
              rows={3}
              value={draft}
              autoFocus
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  setEditing(false);
                } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void run(() => call('comments.edit', { id: comment.id, content: draft }));
                }
              }}
            />
            <div className="comment-form-actions">
              <button type="button" className="btn btn-small" onClick={() => setEditing(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-primary btn-small"
                disabled={busy}
                onClick={() => void run(() => call('comments.edit', { id: comment.id, content: draft }))}
              >
                Save
              </button>
            </div>
          </div>
        ) : (
          <div className="comment-body">{comment.content}</div>
        )}
        {error ? (
          <div className="field-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
    </li>
  );
}
