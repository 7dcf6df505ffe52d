-- The replica that stamped a hybrid logical clock (`<15-digit ms>:<5-digit counter>:<replica id>`).
-- Everything after the second separator is the id, separators included: the CRM bridge's replica
-- is `crm:<login>`, and cutting it at the next ':' would make its own earlier write look like
-- someone else's concurrent edit. '' when there is no clock.
CREATE OR REPLACE FUNCTION coordinator_hlc_writer(p_hlc text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public AS $$
  SELECT coalesce(substring(p_hlc FROM '^[0-9]+:[0-9]+:(.*)$'), '')
$$;
