/**
 * Checks that the bulk fixture loader writes the same sync bookkeeping as the per-row trigger:
 * loads one small spec both ways into two fresh databases and compares entity rows, change-log
 * entries (table, row, op, order) and row metadata (field-clock keys, stamp format, versions
 * matching the change log). `npx tsx bench/support/verify-fixture.ts`
 */
import { createBenchCentral } from './central';
import { loadFixture, type FixtureSpec } from './fixture';

const spec: FixtureSpec = { users: 7, employees: 11, projects: 13, tasks: 101, comments: 203 };

async function snapshot(client: import('pg').Client) {
  const entity = await client.query(
    `SELECT string_agg(md5(t::text), ',' ORDER BY t.id) AS h FROM (
       SELECT to_jsonb(x) - 'created_at' AS t, x.id FROM users x UNION ALL SELECT to_jsonb(x), x.id FROM employees x
       UNION ALL SELECT to_jsonb(x), x.id FROM projects x UNION ALL SELECT to_jsonb(x), x.id FROM tasks x
       UNION ALL SELECT to_jsonb(x), x.id FROM comments x) t`,
  );
  const changes = await client.query(`SELECT table_name, row_id::text, op, client_id, xid::text FROM sync_changes ORDER BY version`);
  const meta = await client.query(
    `SELECT m.table_name, m.row_id::text, (m.version = c.version) AS version_matches,
            (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(m.field_clocks) k) AS keys,
            (SELECT bool_and(v ->> 'h' ~ '^\\d{15}:00000:server$' AND (v ->> 'v')::bigint = m.version) FROM jsonb_each(m.field_clocks) e(k, v)) AS clocks_ok
     FROM sync_row_meta m JOIN sync_changes c ON c.table_name = m.table_name AND c.row_id = m.row_id
     ORDER BY m.table_name, m.row_id`,
  );
  return { entity: entity.rows[0]?.h as string, changes: changes.rows, meta: meta.rows };
}

async function main() {
  const a = await createBenchCentral();
  const b = await createBenchCentral();
  try {
    await loadFixture(a.client, { ...spec, mode: 'triggers' });
    await loadFixture(b.client, { ...spec, mode: 'bulk' });
    const sa = await snapshot(a.client);
    const sb = await snapshot(b.client);
    const problems: string[] = [];
    if (sa.entity !== sb.entity) problems.push('entity rows differ');
    if (sa.changes.length !== sb.changes.length) problems.push(`sync_changes: ${sa.changes.length} vs ${sb.changes.length}`);
    sa.changes.forEach((r, i) => {
      const o = sb.changes[i];
      if (!o || r.table_name !== o.table_name || r.row_id !== o.row_id || r.op !== o.op || r.client_id !== o.client_id) problems.push(`change #${i} differs`);
    });
    if (new Set(sa.changes.map((r) => r.xid)).size !== 1 || new Set(sb.changes.map((r) => r.xid)).size !== 1) problems.push('changes span several transactions');
    if (sa.meta.length !== sb.meta.length) problems.push(`sync_row_meta: ${sa.meta.length} vs ${sb.meta.length}`);
    sa.meta.forEach((r, i) => {
      const o = sb.meta[i];
      if (!o || r.row_id !== o.row_id || JSON.stringify(r.keys) !== JSON.stringify(o.keys)) problems.push(`meta ${r.table_name}/${r.row_id} keys differ`);
      if (!r.version_matches || !o?.version_matches || !r.clocks_ok || !o?.clocks_ok) problems.push(`meta ${r.table_name}/${r.row_id} versions/clocks`);
    });
    console.log(problems.length === 0 ? `bulk fixture == trigger fixture (${sa.changes.length} changes, ${sa.meta.length} meta rows)` : problems.slice(0, 20).join('\n'));
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await a.drop();
    await b.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
