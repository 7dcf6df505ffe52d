import {
  bigint,
  bigserial,
  boolean,
  customType,
  primaryKey,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  date,
  uniqueIndex,
  uuid,
  varchar,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { ACTION_STATUSES, PROJECT_STATUSES, TASK_PRIORITIES, TASK_STATUSES, USER_ROLES, NOTIFICATION_TYPES, MEMORY_CONTENT_TYPES } from '../../../shared/enums';

/**
 * The central database's schema (PostgreSQL), the twin of `sqlite.ts`: same tables, same columns.
 * Here the seed's enums are real enum types, keys are `uuid`, times are `timestamptz`.
 */

export const projectStatus = pgEnum('project_status', PROJECT_STATUSES);
export const taskStatus = pgEnum('task_status', TASK_STATUSES);
export const taskPriority = pgEnum('task_priority', TASK_PRIORITIES);
export const userRole = pgEnum('user_role', USER_ROLES);
export const notificationType = pgEnum('notification_type', NOTIFICATION_TYPES);
export const memoryContentType = pgEnum('memory_content_type', MEMORY_CONTENT_TYPES);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
const createdAt = () => ts('created_at').notNull().defaultNow();
const updatedAt = () => ts('updated_at').notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    crmUserId: integer('crm_user_id'),
    username: text('username').notNull(),
    email: text('email').notNull(),
    /** The seed's display name (`users.name`). */
    name: text('name').notNull(),
    role: userRole('role').notNull().default('member'),
    isActive: boolean('is_active').notNull().default(true),
    preferences: jsonb('preferences').notNull().default({}),
    aiSettings: jsonb('ai_settings').notNull().default({}),
    lastLogin: ts('last_login'),
    lastActivity: ts('last_activity'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('idx_users_username').on(t.username),
    index('idx_users_email').on(t.email),
    uniqueIndex('idx_users_crm_user_id').on(t.crmUserId),
  ],
);

export const employees = pgTable(
  'employees',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    crmEmployeeId: integer('crm_employee_id'),
    name: text('name').notNull(),
    email: text('email').notNull(),
    department: text('department'),
    position: text('position'),
    managerId: uuid('manager_id').references((): AnyPgColumn => employees.id, { onDelete: 'set null' }),
    hireDate: date('hire_date', { mode: 'string' }),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_employees_manager_id').on(t.managerId),
    index('idx_employees_user_id').on(t.userId),
    index('idx_employees_email').on(t.email),
    index('idx_employees_department').on(t.department),
    uniqueIndex('idx_employees_crm_employee_id').on(t.crmEmployeeId),
  ],
);

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey(),
    crmProjectId: integer('crm_project_id'),
    name: text('name').notNull(),
    description: text('description'),
    status: projectStatus('status').notNull().default('todo'),
    startDate: date('start_date', { mode: 'string' }),
    endDate: date('end_date', { mode: 'string' }),
    deadline: date('deadline', { mode: 'string' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_projects_status').on(t.status),
    index('idx_projects_deadline').on(t.deadline),
    uniqueIndex('idx_projects_crm_project_id').on(t.crmProjectId),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey(),
    crmTaskId: integer('crm_task_id'),
    projectId: uuid('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description'),
    status: taskStatus('status').notNull().default('todo'),
    priority: taskPriority('priority').notNull().default('medium'),
    assignedTo: uuid('assigned_to').references(() => employees.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    startTime: ts('start_time'),
    endTime: ts('end_time'),
    dueDate: date('due_date', { mode: 'string' }),
    estimatedHours: doublePrecision('estimated_hours'),
    actualHours: doublePrecision('actual_hours'),
    completedAt: ts('completed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The seed's assignee display name: the employee's name when `assigned_to` is set, else a CRM or free-text name. */
    assignee: varchar('assignee', { length: 100 }),
  },
  (t) => [
    index('idx_tasks_project_id').on(t.projectId),
    index('idx_tasks_assigned_to').on(t.assignedTo),
    index('idx_tasks_status').on(t.status),
    index('idx_tasks_priority').on(t.priority),
    index('idx_tasks_due_date').on(t.dueDate),
    index('idx_tasks_project_status').on(t.projectId, t.status),
    index('idx_tasks_assigned_status').on(t.assignedTo, t.status),
    uniqueIndex('idx_tasks_crm_task_id').on(t.crmTaskId),
    check('tasks_hours_check', sql`coalesce(${t.estimatedHours}, 0) >= 0 AND coalesce(${t.actualHours}, 0) >= 0`),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: uuid('id').primaryKey(),
    crmCommentId: integer('crm_comment_id'),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The author's display name as the seed has it; a CRM contact who is no user keeps theirs here. */
    author: text('author').notNull(),
    content: text('content').notNull(),
    commentOrder: integer('comment_order').notNull(),
    isEdited: boolean('is_edited').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_comments_task_id').on(t.taskId, t.commentOrder),
    index('idx_comments_user_id').on(t.userId),
    uniqueIndex('idx_comments_crm_comment_id').on(t.crmCommentId),
  ],
);

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: notificationType('type').notNull(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    read: boolean('read').notNull().default(false),
    readAt: ts('read_at'),
    actionUrl: text('action_url'),
    metadata: jsonb('metadata').notNull().default({}),
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_notifications_user_read').on(t.userId, t.read, t.createdAt),
    index('idx_notifications_task_id').on(t.taskId),
    index('idx_notifications_created_at').on(t.createdAt),
  ],
);

export const memoryEmbeddings = pgTable(
  'memory_embeddings',
  {
    id: uuid('id').primaryKey(),
    content: text('content').notNull(),
    contentType: memoryContentType('content_type').notNull(),
    sourceTable: text('source_table'),
    sourceId: uuid('source_id'),
    keywords: jsonb('keywords').notNull().default([]),
    summary: text('summary'),
    accessCount: integer('access_count').notNull().default(0),
    lastAccessed: ts('last_accessed'),
    similarityThreshold: doublePrecision('similarity_threshold').notNull().default(0.7),
    embeddingModel: text('embedding_model'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The seed's vector column; never pulled with the row (see memory_vectors and README). */
    embeddingVector: jsonb('embedding_vector'),
  },
  (t) => [
    index('idx_memory_source').on(t.sourceTable, t.sourceId),
    index('idx_memory_content_type').on(t.contentType),
    index('idx_memory_model').on(t.embeddingModel),
  ],
);

export const conversationHistory = pgTable(
  'conversation_history',
  {
    id: uuid('id').primaryKey(),
    sessionId: text('session_id').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    userQuery: text('user_query').notNull(),
    aiResponse: text('ai_response'),
    queryType: text('query_type'),
    responseTimeMs: integer('response_time_ms'),
    dataSources: jsonb('data_sources').notNull().default([]),
    confidenceScore: doublePrecision('confidence_score'),
    userSatisfaction: integer('user_satisfaction'),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_conversation_session').on(t.sessionId, t.createdAt),
    index('idx_conversation_user').on(t.userId),
    index('idx_conversation_created_at').on(t.createdAt),
  ],
);

export const promptTemplates = pgTable(
  'prompt_templates',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description'),
    template: text('template').notNull(),
    category: text('category'),
    variables: jsonb('variables').notNull().default([]),
    usageCount: integer('usage_count').notNull().default(0),
    successRate: doublePrecision('success_rate'),
    lastUsed: ts('last_used'),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('idx_prompt_templates_name').on(t.name), index('idx_prompt_templates_category').on(t.category)],
);

export const aiActions = pgTable(
  'ai_actions',
  {
    id: uuid('id').primaryKey(),
    conversationId: uuid('conversation_id').references(() => conversationHistory.id, { onDelete: 'set null' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    prompt: text('prompt').notNull(),
    actionType: text('action_type').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    actionData: jsonb('action_data').notNull().default({}),
    status: text('status').notNull().default('pending'),
    confirmedBy: uuid('confirmed_by').references(() => users.id, { onDelete: 'set null' }),
    confirmedAt: ts('confirmed_at'),
    executed: boolean('executed').notNull().default(false),
    result: jsonb('result'),
    executedAt: ts('executed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_ai_actions_user').on(t.userId),
    index('idx_ai_actions_status').on(t.status, t.createdAt),
    index('idx_ai_actions_target').on(t.targetType, t.targetId),
    check('ai_actions_status_check', sql`${t.status} IN (${sql.raw(ACTION_STATUSES.map((s) => `'${s}'`).join(', '))})`),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    entityTable: text('entity_table').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    changes: jsonb('changes').notNull(),
    actorId: uuid('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [index('idx_audit_entity').on(t.entityTable, t.entityId, t.createdAt), index('idx_audit_created_at').on(t.createdAt)],
);

export const seedTables = {
  users,
  employees,
  projects,
  tasks,
  comments,
  notifications,
  memoryEmbeddings,
  conversationHistory,
  promptTemplates,
  aiActions,
};

/** PostgreSQL's 64-bit transaction id; the pull horizon compares it with the snapshot's xmin. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The change log: one row per committed change of a synced table, written by triggers in the
 * same transaction as the change. `version` orders changes; `xid` lets a reader stay below the
 * horizon of transactions still in flight (see core/sync/central/pull.ts).
 */
export const syncChanges = pgTable(
  'sync_changes',
  {
    version: bigserial('version', { mode: 'number' }).primaryKey(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    tableName: text('table_name').notNull(),
    rowId: uuid('row_id').notNull(),
    op: text('op').notNull(),
    clientId: text('client_id'),
    changedAt: ts('changed_at').notNull().defaultNow(),
  },
  (t) => [index('idx_sync_changes_xid_version').on(t.xid, t.version), index('idx_sync_changes_row').on(t.tableName, t.rowId)],
);

/**
 * Per replica: the last mutation sequence applied, recorded in the same transaction as the mutations.
 * By user: sync_conflicts' row-level security looks up the person's replicas on every conflict read.
 */
export const syncClients = pgTable(
  'sync_clients',
  {
    clientId: text('client_id').primaryKey(),
    userId: uuid('user_id'),
    lastMutationSeq: bigint('last_mutation_seq', { mode: 'number' }).notNull().default(0),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [index('idx_sync_clients_user').on(t.userId)],
);

/** Per row: the latest version and, per field, the hybrid logical clock and version of its last write. */
export const syncRowMeta = pgTable(
  'sync_row_meta',
  {
    tableName: text('table_name').notNull(),
    rowId: uuid('row_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    fieldClocks: jsonb('field_clocks').notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.rowId] })],
);

/** Deleted rows, kept for the longest supported offline window so late edits lose to the delete. */
export const syncTombstones = pgTable(
  'sync_tombstones',
  {
    tableName: text('table_name').notNull(),
    rowId: uuid('row_id').notNull(),
    deletedAt: ts('deleted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.rowId] }), index('idx_sync_tombstones_deleted_at').on(t.deletedAt)],
);

/** Every value that lost a conflict, with the replica it came from, so that replica can show it. */
export const syncConflicts = pgTable(
  'sync_conflicts',
  {
    id: uuid('id').primaryKey(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    tableName: text('table_name').notNull(),
    rowId: uuid('row_id').notNull(),
    field: text('field'),
    kind: text('kind').notNull(),
    losingClientId: text('losing_client_id'),
    losingValue: jsonb('losing_value'),
    winningValue: jsonb('winning_value'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  // The conflict pull reads `(xid, seq) > cursor AND xid < horizon ORDER BY xid, seq` for a set of
  // replicas plus every CRM one (core/sync/central/pull.ts readConflictPage): in order, without a sort.
  (t) => [index('idx_sync_conflicts_client').on(t.losingClientId, t.xid, t.seq), index('idx_sync_conflicts_xid_seq').on(t.xid, t.seq)],
);

/** Mutations the server refused (permission, validation), replayable if the reply was lost. */
export const syncRejections = pgTable(
  'sync_rejections',
  {
    clientId: text('client_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    code: text('code').notNull(),
    reason: text('reason').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.seq] })],
);

/**
 * Which mutation the server processed at each (replica, sequence): a replay is recognised by the
 * mutation's id, never by its sequence number alone (a copied or restored replica reuses numbers).
 */
export const syncAppliedMutations = pgTable(
  'sync_applied_mutations',
  {
    clientId: text('client_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    mutationId: text('mutation_id').notNull(),
    appliedAt: ts('applied_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.seq] }), index('idx_sync_applied_mutations_id').on(t.mutationId)],
);

/** Which database login acts as which Coordinator user (row-level security reads it). */
export const syncDbUsers = pgTable('sync_db_users', {
  dbRole: text('db_role').primaryKey(),
  userId: uuid('user_id').notNull(),
});

/** Central sync settings, e.g. how far back the change log still reaches. */
export const syncMeta = pgTable('sync_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * The CRM bridge's merge base: per CRM row, its content hash and the CRM-side values as of the last
 * reconcile, and the central row it is linked to. The CRM's own tables are never altered.
 */
export const crmBridgeRows = pgTable(
  'crm_bridge_rows',
  {
    entity: text('entity').notNull(),
    crmId: integer('crm_id').notNull(),
    chunk: integer('chunk').notNull(),
    centralId: uuid('central_id').notNull(),
    hash: bigint('hash', { mode: 'bigint' }).notNull(),
    base: jsonb('base').notNull(),
    centralVersion: bigint('central_version', { mode: 'number' }),
    reconciledAt: ts('reconciled_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.entity, t.crmId] }), index('idx_crm_bridge_rows_central').on(t.entity, t.centralId), index('idx_crm_bridge_rows_chunk').on(t.entity, t.chunk)],
);

/** Rows being created in the CRM: recorded before the insert so a crash cannot duplicate them. */
export const crmBridgeIntents = pgTable(
  'crm_bridge_intents',
  {
    entity: text('entity').notNull(),
    centralId: uuid('central_id').notNull(),
    base: jsonb('base').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.entity, t.centralId] })],
);

/** The bridge's own settings and cursors: which CRM it is paired with, the central change cursor, the last run. */
export const crmBridgeState = pgTable('crm_bridge_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
});

/**
 * Semantic memory's shared vectors (central only, outside the change log): one vector per model
 * and sha256 of the embedded text, as little-endian float32 (4 bytes a dimension; the seed's JSONB
 * form costs ~4.5x that). A replica on the same model takes them instead of embedding; any replica
 * or the headless indexer adds the ones it computed. Content-addressed, so an edit that restores
 * an earlier text finds its vector again and two memories with the same text share one.
 */
export const memoryVectors = pgTable(
  'memory_vectors',
  {
    model: text('model').notNull(),
    contentHash: text('content_hash').notNull(),
    dimensions: integer('dimensions').notNull(),
    vector: bytea('vector').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.model, t.contentHash] })],
);
