-- A comment's number is unique within its task after sync (issue 12 §6). Replicas number a new
-- comment max+1 of what they have seen, so two replicas commenting offline propose the same
-- number; central keeps a proposal that is free and otherwise gives the next free one, and the
-- replicas pull the number it ended with. Inserts on one task are serialised by an advisory lock
-- (not a row lock on the task, which would block edits of the task itself).
CREATE OR REPLACE FUNCTION coordinator_comment_order() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('coordinator.comment_order:' || NEW.task_id::text, 0));
  IF EXISTS (SELECT 1 FROM comments WHERE task_id = NEW.task_id AND comment_order = NEW.comment_order AND id <> NEW.id) THEN
    NEW.comment_order := (SELECT coalesce(max(comment_order), 0) + 1 FROM comments WHERE task_id = NEW.task_id);
  END IF;
  RETURN NEW;
END $$;
