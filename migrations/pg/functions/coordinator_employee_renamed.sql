-- A renamed employee's tasks carry the new name in tasks.assignee (as a change every replica pulls).
CREATE OR REPLACE FUNCTION coordinator_employee_renamed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE tasks SET assignee = left(NEW.name, 100)
  WHERE assigned_to = NEW.id AND assignee IS DISTINCT FROM left(NEW.name, 100);
  RETURN NULL;
END $$;
