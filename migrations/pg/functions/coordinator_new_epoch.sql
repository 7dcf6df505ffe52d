-- Starts a new epoch once per restore: only the caller that still sees the epoch it names moves
-- it, so replicas detecting the same restore at once agree on one new epoch. Every replica of the
-- old epoch then pushes again what it still has of its recent history and rebuilds.
CREATE OR REPLACE FUNCTION coordinator_new_epoch(p_seen_epoch text, p_reason text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE sync_meta SET value = gen_random_uuid()::text WHERE key = 'epoch' AND value = p_seen_epoch;
  IF FOUND THEN
    INSERT INTO sync_meta (key, value) VALUES ('epoch_started_at', now()::text), ('epoch_reason', left(coalesce(p_reason, ''), 500))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
  END IF;
  RETURN (SELECT value FROM sync_meta WHERE key = 'epoch');
END $$;
