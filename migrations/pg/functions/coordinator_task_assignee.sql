-- tasks.assignee (the seed's display name of the assignee) follows assigned_to: whoever writes
-- the row (a replica of any release, the CRM bridge, an administrator's SQL) cannot make the two
-- disagree. With no employee assigned the name is free text (a CRM assignee who is no employee).
CREATE OR REPLACE FUNCTION coordinator_task_assignee() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NEW.assigned_to IS NOT NULL THEN
    NEW.assignee := (SELECT left(e.name, 100) FROM employees e WHERE e.id = NEW.assigned_to);
  ELSIF TG_OP = 'UPDATE' AND OLD.assigned_to IS NOT NULL AND NEW.assignee IS NOT DISTINCT FROM OLD.assignee THEN
    -- Unassigned without a new free-text name: the former employee's name must not linger.
    NEW.assignee := NULL;
  END IF;
  RETURN NEW;
END $$;
