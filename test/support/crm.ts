import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

const ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export type PerfexGeneration = '2.3' | '3.0' | '3.1';

/** Perfex's own default SQL mode off, as Perfex's connection runs; strict as a careful DBA configures MariaDB. */
export const STRICT_SQL_MODE = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/**
 * The tables the bridge reads and writes as a Perfex 2.3-era install defines them (checked against a
 * public 2019 Perfex database dump): utf8 (= utf8mb3) everywhere, `text` descriptions and comments,
 * `mediumtext` task names, NOT NULL columns without defaults that every writer must set, `tbloptions.name`
 * indexed but not unique. Only columns are listed; the dump's AUTO_INCREMENT counters are data, not schema.
 */
function perfex23Schema(prefix: string): string[] {
  const cs = 'CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci';
  const t = (name: string) => `\`${prefix}${name}\``;
  const table = (name: string, columns: string[], keys: string[] = []) =>
    `CREATE TABLE ${t(name)} (${[...columns, ...keys].join(', ')}) ENGINE=InnoDB ${cs}`;
  return [
    table('staff', [
      'staffid int(11) NOT NULL AUTO_INCREMENT', 'email varchar(100) NOT NULL', 'firstname varchar(50) NOT NULL', 'lastname varchar(50) NOT NULL',
      'facebook mediumtext', 'linkedin mediumtext', 'phonenumber varchar(30) DEFAULT NULL', 'skype varchar(50) DEFAULT NULL',
      'password varchar(250) NOT NULL', 'datecreated datetime NOT NULL', 'profile_image varchar(191) DEFAULT NULL', 'last_ip varchar(40) DEFAULT NULL',
      'last_login datetime DEFAULT NULL', 'last_activity datetime DEFAULT NULL', 'last_password_change datetime DEFAULT NULL',
      'new_pass_key varchar(32) DEFAULT NULL', 'new_pass_key_requested datetime DEFAULT NULL', "admin int(11) NOT NULL DEFAULT '0'",
      'role int(11) DEFAULT NULL', "active int(11) NOT NULL DEFAULT '1'", 'default_language varchar(40) DEFAULT NULL', 'direction varchar(3) DEFAULT NULL',
      'media_path_slug varchar(191) DEFAULT NULL', "is_not_staff int(11) NOT NULL DEFAULT '0'", "hourly_rate decimal(15,2) NOT NULL DEFAULT '0.00'",
      "two_factor_auth_enabled tinyint(1) DEFAULT '0'", 'two_factor_auth_code varchar(100) DEFAULT NULL',
      'two_factor_auth_code_requested datetime DEFAULT NULL', 'email_signature text',
    ], ['PRIMARY KEY (staffid)', 'KEY firstname (firstname)', 'KEY lastname (lastname)']),
    table('clients', [
      'userid int(11) NOT NULL AUTO_INCREMENT', 'company varchar(191) DEFAULT NULL', 'datecreated datetime NOT NULL',
      "active int(11) NOT NULL DEFAULT '1'", "addedfrom int(11) NOT NULL DEFAULT '0'",
    ], ['PRIMARY KEY (userid)']),
    table('projects', [
      'id int(11) NOT NULL AUTO_INCREMENT', 'name varchar(191) NOT NULL', 'description text', "status int(11) NOT NULL DEFAULT '0'",
      'clientid int(11) NOT NULL', 'billing_type int(11) NOT NULL', 'start_date date NOT NULL', 'deadline date DEFAULT NULL',
      'project_created date NOT NULL', 'date_finished datetime DEFAULT NULL', "progress int(11) DEFAULT '0'",
      "progress_from_tasks int(11) NOT NULL DEFAULT '1'", 'project_cost decimal(15,2) DEFAULT NULL', 'project_rate_per_hour decimal(15,2) DEFAULT NULL',
      'estimated_hours decimal(15,2) DEFAULT NULL', 'addedfrom int(11) NOT NULL',
    ], ['PRIMARY KEY (id)', 'KEY clientid (clientid)', 'KEY name (name)']),
    table('tasks', [
      'id int(11) NOT NULL AUTO_INCREMENT', 'name mediumtext', 'description text', 'priority int(11) DEFAULT NULL', 'dateadded datetime NOT NULL',
      'startdate date NOT NULL', 'duedate date DEFAULT NULL', 'datefinished datetime DEFAULT NULL', 'addedfrom int(11) NOT NULL',
      "is_added_from_contact tinyint(1) NOT NULL DEFAULT '0'", "status int(11) NOT NULL DEFAULT '0'", 'recurring_type varchar(10) DEFAULT NULL',
      'repeat_every int(11) DEFAULT NULL', "recurring int(11) NOT NULL DEFAULT '0'", 'is_recurring_from int(11) DEFAULT NULL',
      "cycles int(11) NOT NULL DEFAULT '0'", "total_cycles int(11) NOT NULL DEFAULT '0'", "custom_recurring tinyint(1) NOT NULL DEFAULT '0'",
      'last_recurring_date date DEFAULT NULL', 'rel_id int(11) DEFAULT NULL', 'rel_type varchar(30) DEFAULT NULL',
      "is_public tinyint(1) NOT NULL DEFAULT '0'", "billable tinyint(1) NOT NULL DEFAULT '0'", "billed tinyint(1) NOT NULL DEFAULT '0'",
      "invoice_id int(11) NOT NULL DEFAULT '0'", "hourly_rate decimal(15,2) NOT NULL DEFAULT '0.00'", "milestone int(11) DEFAULT '0'",
      "kanban_order int(11) NOT NULL DEFAULT '0'", "milestone_order int(11) NOT NULL DEFAULT '0'", "visible_to_client tinyint(1) NOT NULL DEFAULT '0'",
      "deadline_notified int(11) NOT NULL DEFAULT '0'",
    ], ['PRIMARY KEY (id)', 'KEY rel_id (rel_id)', 'KEY rel_type (rel_type)', 'KEY milestone (milestone)', 'KEY kanban_order (kanban_order)']),
    table('task_assigned', [
      'id int(11) NOT NULL AUTO_INCREMENT', 'staffid int(11) NOT NULL', 'taskid int(11) NOT NULL', "assigned_from int(11) NOT NULL DEFAULT '0'",
      "is_assigned_from_contact tinyint(1) NOT NULL DEFAULT '0'",
    ], ['PRIMARY KEY (id)', 'KEY taskid (taskid)', 'KEY staffid (staffid)']),
    table('task_comments', [
      'id int(11) NOT NULL AUTO_INCREMENT', 'content text NOT NULL', 'taskid int(11) NOT NULL', 'staffid int(11) NOT NULL',
      "contact_id int(11) NOT NULL DEFAULT '0'", "file_id int(11) NOT NULL DEFAULT '0'", 'dateadded datetime NOT NULL',
    ], ['PRIMARY KEY (id)', 'KEY file_id (file_id)', 'KEY taskid (taskid)']),
    table('taskstimers', [
      'id int(11) NOT NULL AUTO_INCREMENT', 'task_id int(11) NOT NULL', 'start_time varchar(64) NOT NULL', 'end_time varchar(64) DEFAULT NULL',
      'staff_id int(11) NOT NULL', "hourly_rate decimal(15,2) NOT NULL DEFAULT '0.00'", 'note text',
    ], ['PRIMARY KEY (id)', 'KEY task_id (task_id)', 'KEY staff_id (staff_id)']),
    table('task_followers', ['id int(11) NOT NULL AUTO_INCREMENT', 'staffid int(11) NOT NULL', 'taskid int(11) NOT NULL'], ['PRIMARY KEY (id)']),
    table('project_members', ['id int(11) NOT NULL AUTO_INCREMENT', 'project_id int(11) NOT NULL', 'staff_id int(11) NOT NULL'],
      ['PRIMARY KEY (id)', 'KEY project_id (project_id)', 'KEY staff_id (staff_id)']),
    table('options', [
      'id int(11) NOT NULL AUTO_INCREMENT', 'name varchar(191) NOT NULL', 'value longtext NOT NULL', "autoload tinyint(1) NOT NULL DEFAULT '1'",
    ], ['PRIMARY KEY (id)', 'KEY name (name)']),
  ];
}

/**
 * The Perfex tables the bridge touches, as the reference describes them: 3.1+ installs use
 * utf8mb4 and full-size text types; 3.0.x installs (and upgraded ones) utf8mb3 and one size smaller.
 * No foreign keys, no modified-time columns, NOT NULL columns without defaults.
 */
export function perfexSchema(prefix: string, generation: PerfexGeneration): string[] {
  if (generation === '2.3') return perfex23Schema(prefix);
  const cs = generation === '3.1' ? 'CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci' : 'CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci';
  const long = generation === '3.1' ? 'longtext' : 'mediumtext';
  const medium = generation === '3.1' ? 'mediumtext' : 'text';
  const t = (name: string) => `\`${prefix}${name}\``;
  return [
    `CREATE TABLE ${t('staff')} (staffid int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL, firstname varchar(50) NOT NULL,
      lastname varchar(50) NOT NULL, phonenumber varchar(30) DEFAULT NULL, password varchar(250) NOT NULL, datecreated datetime NOT NULL,
      last_login datetime DEFAULT NULL, last_activity datetime DEFAULT NULL, admin int NOT NULL DEFAULT 0, role int DEFAULT NULL,
      active int NOT NULL DEFAULT 1, is_not_staff int NOT NULL DEFAULT 0, hourly_rate decimal(15,2) NOT NULL DEFAULT 0.00,
      default_language varchar(40) DEFAULT NULL) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('clients')} (userid int NOT NULL AUTO_INCREMENT PRIMARY KEY, company varchar(191) DEFAULT NULL, active int NOT NULL DEFAULT 1,
      datecreated datetime NOT NULL) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('projects')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(191) NOT NULL, description ${medium},
      status int NOT NULL DEFAULT 0, clientid int NOT NULL, billing_type int NOT NULL, start_date date NOT NULL, deadline date DEFAULT NULL,
      project_created date NOT NULL, date_finished datetime DEFAULT NULL, progress int DEFAULT 0, estimated_hours decimal(15,2) DEFAULT NULL,
      addedfrom int NOT NULL, KEY clientid (clientid), KEY name (name)) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('tasks')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name ${long}, description ${medium}, priority int DEFAULT NULL,
      dateadded datetime NOT NULL, startdate date NOT NULL, duedate date DEFAULT NULL, datefinished datetime DEFAULT NULL, addedfrom int NOT NULL,
      is_added_from_contact tinyint(1) NOT NULL DEFAULT 0, status int NOT NULL DEFAULT 0, recurring_type varchar(10) DEFAULT NULL,
      repeat_every int DEFAULT NULL, recurring int NOT NULL DEFAULT 0, rel_id int DEFAULT NULL, rel_type varchar(30) DEFAULT NULL,
      is_public tinyint(1) NOT NULL DEFAULT 0, billable tinyint(1) NOT NULL DEFAULT 0, billed int NOT NULL DEFAULT 0,
      hourly_rate decimal(15,2) NOT NULL DEFAULT 0.00, milestone int DEFAULT 0, kanban_order int DEFAULT 1,
      milestone_order int NOT NULL DEFAULT 0, visible_to_client tinyint(1) NOT NULL DEFAULT 0, deadline_notified int NOT NULL DEFAULT 0,
      KEY rel_id (rel_id), KEY rel_type (rel_type), KEY milestone (milestone), KEY kanban_order (kanban_order), KEY status (status)) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('task_assigned')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, staffid int NOT NULL, taskid int NOT NULL,
      assigned_from int NOT NULL DEFAULT 0, is_assigned_from_contact tinyint(1) NOT NULL DEFAULT 0, KEY taskid (taskid), KEY staffid (staffid)) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('task_comments')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, content ${medium} NOT NULL, taskid int NOT NULL,
      staffid int NOT NULL, contact_id int NOT NULL DEFAULT 0, file_id int NOT NULL DEFAULT 0, dateadded datetime NOT NULL,
      KEY file_id (file_id), KEY taskid (taskid)) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('taskstimers')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, task_id int NOT NULL, start_time varchar(64) NOT NULL,
      end_time varchar(64) DEFAULT NULL, staff_id int NOT NULL, hourly_rate decimal(15,2) NOT NULL DEFAULT 0.00, note ${medium},
      KEY task_id (task_id), KEY staff_id (staff_id)) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('task_followers')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, staffid int NOT NULL, taskid int NOT NULL) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('project_members')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, project_id int NOT NULL, staff_id int NOT NULL,
      KEY project_id (project_id), KEY staff_id (staff_id)) ENGINE=InnoDB ${cs}`,
    `CREATE TABLE ${t('options')} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(191) NOT NULL, value longtext NOT NULL,
      autoload tinyint NOT NULL DEFAULT 1, UNIQUE KEY name (name)) ENGINE=InnoDB ${cs}`,
  ];
}

export interface TempCrm {
  url: string;
  database: string;
  prefix: string;
  db: mysql.Connection;
  t(name: string): string;
  /** Rows as plain objects. */
  rows(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string, params?: unknown[]): Promise<mysql.ResultSetHeader>;
  addStaff(s: { email: string; firstname: string; lastname: string; admin?: number; active?: number }): Promise<number>;
  addProject(p: { name: string; status?: number; description?: string | null; deadline?: string | null; start?: string; created?: string; addedFrom?: number; finished?: string | null }): Promise<number>;
  addTask(k: { name: string; project: number | null; status?: number; priority?: number | null; description?: string | null; due?: string | null; start?: string; relType?: string | null; assignees?: number[]; finished?: string | null }): Promise<number>;
  addComment(c: { task: number; content: string; staff: number; contact?: number; added?: string }): Promise<number>;
  checksum(): Promise<string>;
  drop(): Promise<void>;
}

/** A fresh MariaDB database with a Perfex-shaped schema for one test. */
export interface TempCrmOptions {
  generation?: PerfexGeneration;
  prefix?: string;
  timeZone?: string | null;
  /** The fixture's own writes (the "CRM user's" edits) in strict SQL mode, so they must set every NOT NULL column. */
  strict?: boolean;
}

export async function tempCrm(options: TempCrmOptions = {}): Promise<TempCrm> {
  const generation = options.generation ?? '3.1';
  const prefix = options.prefix ?? 'tbl';
  const database = `perfex_test_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection(ADMIN);
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET ${generation === '3.1' ? 'utf8mb4' : 'utf8mb3'}`);
  await admin.end();
  const db = await mysql.createConnection({ ...ADMIN, database, charset: 'utf8mb4_unicode_ci', dateStrings: true });
  db.on('error', () => undefined);
  // Perfex clears the SQL mode for its own connection; the fixture writes like Perfex does.
  await db.query('SET SESSION sql_mode = ?', [options.strict ? STRICT_SQL_MODE : '']);
  for (const ddl of perfexSchema(prefix, generation)) await db.query(ddl);
  const t = (name: string) => `\`${prefix}${name}\``;
  if (options.timeZone !== null) await db.query(`INSERT INTO ${t('options')} (name, value) VALUES ('default_timezone', ?)`, [options.timeZone ?? 'Europe/Berlin']);
  const exec = async (sql: string, params: unknown[] = []) => (await db.query<mysql.ResultSetHeader>(sql, params))[0];
  const rows = async (sql: string, params: unknown[] = []) => (await db.query<mysql.RowDataPacket[]>(sql, params))[0] as Record<string, unknown>[];
  return {
    url: `mysql://root@127.0.0.1:3306/${database}`,
    database,
    prefix,
    db,
    t,
    rows,
    exec,
    async addStaff(s) {
      const r = await exec(`INSERT INTO ${t('staff')} (email, firstname, lastname, password, datecreated, admin, active) VALUES (?, ?, ?, '$2a$08$x', '2026-01-05 09:00:00', ?, ?)`,
        [s.email, s.firstname, s.lastname, s.admin ?? 0, s.active ?? 1]);
      return r.insertId;
    },
    async addProject(p) {
      const r = await exec(`INSERT INTO ${t('projects')} (name, description, status, clientid, billing_type, start_date, deadline, project_created, date_finished, addedfrom)
        VALUES (?, ?, ?, 1, 1, ?, ?, ?, ?, ?)`,
        [p.name, p.description ?? null, p.status ?? 2, p.start ?? '2026-01-10', p.deadline ?? null, p.created ?? '2026-01-10', p.finished ?? null, p.addedFrom ?? 1]);
      return r.insertId;
    },
    async addTask(k) {
      const r = await exec(`INSERT INTO ${t('tasks')} (name, description, priority, dateadded, startdate, duedate, datefinished, addedfrom, status, rel_id, rel_type)
        VALUES (?, ?, ?, '2026-02-01 10:30:00', ?, ?, ?, 1, ?, ?, ?)`,
        [k.name, k.description ?? null, k.priority === undefined ? 2 : k.priority, k.start ?? '2026-02-01', k.due ?? null, k.finished ?? null, k.status ?? 1, k.project, k.relType === undefined ? (k.project == null ? null : 'project') : k.relType]);
      for (const staff of k.assignees ?? []) await exec(`INSERT INTO ${t('task_assigned')} (staffid, taskid, assigned_from) VALUES (?, ?, 1)`, [staff, r.insertId]);
      return r.insertId;
    },
    async addComment(c) {
      const r = await exec(`INSERT INTO ${t('task_comments')} (content, taskid, staffid, contact_id, dateadded) VALUES (?, ?, ?, ?, ?)`,
        [c.content, c.task, c.staff, c.contact ?? 0, c.added ?? '2026-02-02 11:00:00']);
      return r.insertId;
    },
    async checksum() {
      const tables = ['staff', 'projects', 'tasks', 'task_assigned', 'task_comments', 'taskstimers'].map((n) => `${prefix}${n}`);
      const [res] = await db.query<mysql.RowDataPacket[]>(`CHECKSUM TABLE ${tables.map((x) => `\`${x}\``).join(', ')}`);
      return res.map((r) => `${String(r.Table)}=${String(r.Checksum)}`).join(';');
    },
    async drop() {
      await db.end().catch(() => undefined);
      const a = await mysql.createConnection(ADMIN);
      await a.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await a.end();
    },
  };
}
