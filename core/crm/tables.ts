/** Perfex table names under the configured prefix (`APP_DB_PREFIX`, `tbl` by default). */
export function crmTables(prefix: string) {
  return {
    staff: `${prefix}staff`,
    projects: `${prefix}projects`,
    tasks: `${prefix}tasks`,
    taskAssigned: `${prefix}task_assigned`,
    taskComments: `${prefix}task_comments`,
    taskTimers: `${prefix}taskstimers`,
    taskFollowers: `${prefix}task_followers`,
    projectMembers: `${prefix}project_members`,
    options: `${prefix}options`,
  };
}
export type CrmTables = ReturnType<typeof crmTables>;

export const CRM_ENTITIES = ['staff', 'projects', 'tasks', 'comments'] as const;
export type CrmEntity = (typeof CRM_ENTITIES)[number];

const q = (name: string) => `\`${name}\``;

/**
 * A row's content hash as an unsigned 64-bit integer, computed by MySQL over the columns the bridge
 * reads. Binary casts keep utf8mb3 and utf8mb4 columns comparable; 0x00 marks NULL so that NULL and
 * '' differ. Chunk checksums XOR these, so the bridge can compute the same checksum from its snapshot.
 */
function hashOf(columns: string[]): string {
  const parts = columns.map((c) => `IFNULL(CAST(${c} AS BINARY), 0x00)`).join(', ');
  return `CAST(CONV(LEFT(MD5(CONCAT_WS(0x1f, ${parts})), 16), 16, 10) AS UNSIGNED)`;
}

export interface EntitySql {
  /** id, hash and every column the mapping reads, for the rows in scope. `{where}` narrows it. */
  select: string;
  /** Rows in scope with just id and hash. */
  hashes: string;
}

/** The SQL of each entity's scope: which CRM rows it covers and what their hash includes. */
export function entitySql(t: CrmTables): Record<CrmEntity, EntitySql> {
  const staffCols = ['s.staffid', 's.email', 's.firstname', 's.lastname', 's.admin', 's.active'];
  const staffFrom = `FROM ${q(t.staff)} s WHERE {where}`;
  const projectCols = ['p.id', 'p.name', 'p.description', 'p.status', 'p.start_date', 'p.deadline', 'p.date_finished'];
  const projectFrom = `FROM ${q(t.projects)} p WHERE {where}`;
  // Assignees in the order Perfex lists them; logged seconds of finished timers (epoch strings).
  const assignees = `(SELECT GROUP_CONCAT(a.staffid ORDER BY a.id SEPARATOR ',') FROM ${q(t.taskAssigned)} a WHERE a.taskid = k.id)`;
  const seconds = `(SELECT SUM(CAST(m.end_time AS SIGNED) - CAST(m.start_time AS SIGNED)) FROM ${q(t.taskTimers)} m WHERE m.task_id = k.id AND m.end_time IS NOT NULL AND m.end_time <> '')`;
  const taskCols = ['k.id', 'k.name', 'k.description', 'k.priority', 'k.status', 'k.startdate', 'k.duedate', 'k.datefinished', 'k.rel_id', 'k.dateadded', 'k.addedfrom'];
  const taskFrom = `FROM ${q(t.tasks)} k WHERE k.rel_type = 'project' AND {where}`;
  const commentCols = ['c.id', 'c.content', 'c.taskid', 'c.staffid', 'c.contact_id', 'c.dateadded'];
  const commentFrom = `FROM ${q(t.taskComments)} c JOIN ${q(t.tasks)} k ON k.id = c.taskid AND k.rel_type = 'project' WHERE {where}`;
  return {
    staff: {
      select: `SELECT s.staffid AS id, s.email, s.firstname, s.lastname, s.admin, s.active, ${hashOf(staffCols)} AS h ${staffFrom}`,
      hashes: `SELECT s.staffid AS id, ${hashOf(staffCols)} AS h ${staffFrom}`,
    },
    projects: {
      // Creation day and creator are read for the import only; Perfex never changes them, so they stay out of the hash.
      select: `SELECT p.id, p.name, p.description, p.status, p.start_date, p.deadline, p.date_finished, p.project_created, p.addedfrom,
                 ${hashOf(projectCols)} AS h ${projectFrom}`,
      hashes: `SELECT p.id, ${hashOf(projectCols)} AS h ${projectFrom}`,
    },
    tasks: {
      select: `SELECT k.id, k.name, k.description, k.priority, k.status, k.startdate, k.duedate, k.datefinished, k.rel_id, k.dateadded,
                 k.addedfrom, x.assignees, x.seconds, ${hashOf([...taskCols, 'x.assignees', 'x.seconds'])} AS h
               FROM (SELECT k.id, ${assignees} AS assignees, ${seconds} AS seconds ${taskFrom}) x JOIN ${q(t.tasks)} k ON k.id = x.id`,
      hashes: `SELECT k.id, ${hashOf([...taskCols, 'x.assignees', 'x.seconds'])} AS h
               FROM (SELECT k.id, ${assignees} AS assignees, ${seconds} AS seconds ${taskFrom}) x JOIN ${q(t.tasks)} k ON k.id = x.id`,
    },
    comments: {
      select: `SELECT c.id, c.content, c.taskid, c.staffid, c.contact_id, c.dateadded, ${hashOf(commentCols)} AS h ${commentFrom}`,
      hashes: `SELECT c.id, ${hashOf(commentCols)} AS h ${commentFrom}`,
    },
  };
}

/** The id column each entity's `{where}` filters on. */
export const ID_COLUMN: Record<CrmEntity, string> = { staff: 's.staffid', projects: 'p.id', tasks: 'k.id', comments: 'c.id' };
