CREATE OR REPLACE FUNCTION coordinator_is_long_text(p_table text, p_field text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_table || '.' || p_field) = ANY (ARRAY['tasks.description', 'projects.description', 'comments.content',
    'memory_embeddings.content', 'memory_embeddings.summary', 'prompt_templates.template', 'conversation_history.ai_response'])
$$;
