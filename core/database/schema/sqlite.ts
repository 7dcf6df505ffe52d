import { sql, type SQL } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import {
  ACTION_STATUSES,
  MEMORY_CONTENT_TYPES,
  NOTIFICATION_TYPES,
  PROJECT_STATUSES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  USER_ROLES,
} from '../../../shared/enums';

/**
 * The local replica's schema (SQLite). Its twin for the central database is `pg.ts`; a test keeps
 * both declaring the same tables and columns. Keys are client-generated UUIDv7 text; timestamps
 * are ISO-8601 UTC text; enums are CHECK constraints generated from `shared/enums.ts`.
 */

const oneOf = (column: AnySQLiteColumn, values: readonly string[]): SQL =>
  sql.raw(`"${column.name}" IN (${values.map((v) => `'${v}'`).join(', ')})`);

const createdAt = () => text('created_at').notNull();
const updatedAt = () => text('updated_at').notNull();

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    crmUserId: integer('crm_user_id'),
    username: text('username').notNull(),
    email: text('email').notNull(),
    /** The seed's display name (`users.name`). */
    name: text('name').notNull(),
    role: text('role').notNull().default('member'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    preferences: text('preferences').notNull().default('{}'),
    aiSettings: text('ai_settings').notNull().default('{}'),
    lastLogin: text('last_login'),
    lastActivity: text('last_activity'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('idx_users_username').on(t.username),
    index('idx_users_email').on(t.email),
    uniqueIndex('idx_users_crm_user_id').on(t.crmUserId),
    check('users_role_check', oneOf(t.role, USER_ROLES)),
  ],
);

export const employees = sqliteTable(
  'employees',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    crmEmployeeId: integer('crm_employee_id'),
    name: text('name').notNull(),
    email: text('email').notNull(),
    department: text('department'),
    position: text('position'),
    managerId: text('manager_id').references((): AnySQLiteColumn => employees.id, { onDelete: 'set null' }),
    hireDate: text('hire_date'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
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

export const projects = sqliteTable(
  'projects',
  {
    id: text('id').primaryKey(),
    crmProjectId: integer('crm_project_id'),
    name: text('name').notNull(),
    description: text('description'),
    status: text('status').notNull().default('todo'),
    startDate: text('start_date'),
    endDate: text('end_date'),
    deadline: text('deadline'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_projects_status').on(t.status),
    index('idx_projects_deadline').on(t.deadline),
    uniqueIndex('idx_projects_crm_project_id').on(t.crmProjectId),
    check('projects_status_check', oneOf(t.status, PROJECT_STATUSES)),
  ],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    crmTaskId: integer('crm_task_id'),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    description: text('description'),
    status: text('status').notNull().default('todo'),
    priority: text('priority').notNull().default('medium'),
    assignedTo: text('assigned_to').references(() => employees.id, { onDelete: 'set null' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    startTime: text('start_time'),
    endTime: text('end_time'),
    dueDate: text('due_date'),
    estimatedHours: real('estimated_hours'),
    actualHours: real('actual_hours'),
    completedAt: text('completed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The seed's assignee display name: the employee's name when `assigned_to` is set, else a CRM or free-text name. */
    assignee: text('assignee'),
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
    check('tasks_status_check', oneOf(t.status, TASK_STATUSES)),
    check('tasks_priority_check', oneOf(t.priority, TASK_PRIORITIES)),
    check('tasks_hours_check', sql`coalesce(${t.estimatedHours}, 0) >= 0 AND coalesce(${t.actualHours}, 0) >= 0`),
  ],
);

export const comments = sqliteTable(
  'comments',
  {
    id: text('id').primaryKey(),
    crmCommentId: integer('crm_comment_id'),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The author's display name as the seed has it; a CRM contact who is no user keeps theirs here. */
    author: text('author').notNull(),
    content: text('content').notNull(),
    commentOrder: integer('comment_order').notNull(),
    isEdited: integer('is_edited', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_comments_task_id').on(t.taskId, t.commentOrder),
    index('idx_comments_user_id').on(t.userId),
    uniqueIndex('idx_comments_crm_comment_id').on(t.crmCommentId),
  ],
);

export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    read: integer('read', { mode: 'boolean' }).notNull().default(false),
    readAt: text('read_at'),
    actionUrl: text('action_url'),
    metadata: text('metadata').notNull().default('{}'),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_notifications_user_read').on(t.userId, t.read, t.createdAt),
    index('idx_notifications_task_id').on(t.taskId),
    index('idx_notifications_created_at').on(t.createdAt),
    check('notifications_type_check', oneOf(t.type, NOTIFICATION_TYPES)),
  ],
);

export const memoryEmbeddings = sqliteTable(
  'memory_embeddings',
  {
    id: text('id').primaryKey(),
    content: text('content').notNull(),
    contentType: text('content_type').notNull(),
    sourceTable: text('source_table'),
    sourceId: text('source_id'),
    keywords: text('keywords').notNull().default('[]'),
    summary: text('summary'),
    accessCount: integer('access_count').notNull().default(0),
    lastAccessed: text('last_accessed'),
    similarityThreshold: real('similarity_threshold').notNull().default(0.7),
    embeddingModel: text('embedding_model'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The seed's vector column (JSON); locally vectors live in sqlite-vec, so this stays empty. */
    embeddingVector: text('embedding_vector'),
  },
  (t) => [
    index('idx_memory_source').on(t.sourceTable, t.sourceId),
    index('idx_memory_content_type').on(t.contentType),
    index('idx_memory_model').on(t.embeddingModel),
    check('memory_content_type_check', oneOf(t.contentType, MEMORY_CONTENT_TYPES)),
  ],
);

export const conversationHistory = sqliteTable(
  'conversation_history',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    userQuery: text('user_query').notNull(),
    aiResponse: text('ai_response'),
    queryType: text('query_type'),
    responseTimeMs: integer('response_time_ms'),
    dataSources: text('data_sources').notNull().default('[]'),
    confidenceScore: real('confidence_score'),
    userSatisfaction: integer('user_satisfaction'),
    createdAt: createdAt(),
  },
  (t) => [
    index('idx_conversation_session').on(t.sessionId, t.createdAt),
    index('idx_conversation_user').on(t.userId),
    index('idx_conversation_created_at').on(t.createdAt),
  ],
);

export const promptTemplates = sqliteTable(
  'prompt_templates',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description'),
    template: text('template').notNull(),
    category: text('category'),
    variables: text('variables').notNull().default('[]'),
    usageCount: integer('usage_count').notNull().default(0),
    successRate: real('success_rate'),
    lastUsed: text('last_used'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('idx_prompt_templates_name').on(t.name), index('idx_prompt_templates_category').on(t.category)],
);

export const aiActions = sqliteTable(
  'ai_actions',
  {
    id: text('id').primaryKey(),
    conversationId: text('conversation_id').references(() => conversationHistory.id, { onDelete: 'set null' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    prompt: text('prompt').notNull(),
    actionType: text('action_type').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    actionData: text('action_data').notNull().default('{}'),
    status: text('status').notNull().default('pending'),
    confirmedBy: text('confirmed_by').references(() => users.id, { onDelete: 'set null' }),
    confirmedAt: text('confirmed_at'),
    executed: integer('executed', { mode: 'boolean' }).notNull().default(false),
    result: text('result'),
    executedAt: text('executed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('idx_ai_actions_user').on(t.userId),
    index('idx_ai_actions_status').on(t.status, t.createdAt),
    index('idx_ai_actions_target').on(t.targetType, t.targetId),
    check('ai_actions_status_check', oneOf(t.status, ACTION_STATUSES)),
  ],
);

/** Who changed which fields of users, projects, tasks and ai_actions. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    entityTable: text('entity_table').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    changes: text('changes').notNull(),
    actorId: text('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [index('idx_audit_entity').on(t.entityTable, t.entityId, t.createdAt), index('idx_audit_created_at').on(t.createdAt)],
);

/** Per-replica settings: the replica's client id, the signed-in user. Never synced. */
export const localSettings = sqliteTable('local_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The ten seed tables, the ones that exist on both sides. */
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

/**
 * Sync bookkeeping (local only). The outbox holds every local write, in order, until the central
 * database acknowledges it; `seq` is the client's mutation sequence the server records.
 */
export const syncOutbox = sqliteTable(
  'sync_outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    mutationId: text('mutation_id').notNull(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    op: text('op').notNull(),
    /** JSON object of the changed columns and their new values (local representation). */
    fields: text('fields').notNull(),
    /** The server version of the row this edit was based on (null for a row never pulled). */
    baseVersion: integer('base_version'),
    hlc: text('hlc').notNull(),
    status: text('status').notNull().default('pending'),
    error: text('error'),
    createdAt: text('created_at').notNull(),
    /** The local transaction the change was made in: the server applies a transaction all or nothing. */
    txId: text('tx_id'),
  },
  (t) => [
    uniqueIndex('idx_sync_outbox_mutation_id').on(t.mutationId),
    index('idx_sync_outbox_row').on(t.tableName, t.rowId),
    index('idx_sync_outbox_status').on(t.status, t.seq),
    check('sync_outbox_op_check', oneOf(t.op, ['insert', 'update', 'delete'])),
    check('sync_outbox_status_check', oneOf(t.status, ['pending', 'rejected'])),
  ],
);

/**
 * Mutations the central database acknowledged, kept for a while (docs/sync-identity.md: 30 days,
 * at most 10,000) so they can be pushed again if central is restored from an earlier snapshot.
 */
export const syncOutboxHistory = sqliteTable(
  'sync_outbox_history',
  {
    seq: integer('seq').primaryKey(),
    mutationId: text('mutation_id').notNull(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    op: text('op').notNull(),
    fields: text('fields').notNull(),
    baseVersion: integer('base_version'),
    hlc: text('hlc').notNull(),
    createdAt: text('created_at').notNull(),
    txId: text('tx_id'),
    ackedAt: text('acked_at').notNull(),
  },
  (t) => [index('idx_sync_outbox_history_acked').on(t.ackedAt)],
);

/** The central version each local row was last pulled at: the base of the next local edit. */
export const syncRowVersions = sqliteTable(
  'sync_row_versions',
  {
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [uniqueIndex('idx_sync_row_versions_pk').on(t.tableName, t.rowId)],
);

/** Values that lost a conflict (ours or pulled), kept so nothing a person typed is lost. */
export const syncConflicts = sqliteTable(
  'sync_conflicts',
  {
    id: text('id').primaryKey(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    field: text('field'),
    kind: text('kind').notNull(),
    losingValue: text('losing_value'),
    winningValue: text('winning_value'),
    reason: text('reason'),
    createdAt: text('created_at').notNull(),
    resolvedAt: text('resolved_at'),
    resolution: text('resolution'),
  },
  (t) => [index('idx_sync_conflicts_open').on(t.resolvedAt, t.createdAt), index('idx_sync_conflicts_row').on(t.tableName, t.rowId)],
);

/**
 * Semantic memory's local index state (local only, never synced): one row per memory row, keyed
 * by an explicit INTEGER PRIMARY KEY so the sqlite-vec and FTS5 rows that share this key survive
 * VACUUM (an implicit rowid may be renumbered). `state = 'pending'` is the embedding queue: the
 * triggers of migration 0003 set it whenever a memory row's text or filters change, on every
 * path (local writes, pulled rows, bootstrap).
 */
export const memoryIndex = sqliteTable(
  'memory_index',
  {
    key: integer('key').primaryKey(),
    memoryId: text('memory_id').notNull(),
    state: text('state').notNull().default('pending'),
    /** The model of the vector currently stored for this row (null: none yet). */
    model: text('model'),
    dimensions: integer('dimensions'),
    /** sha256 of the text that was embedded, so an unchanged text is never embedded twice. */
    contentHash: text('content_hash'),
    /** Project the source belongs to (a filter; '' for none), refreshed by the triggers. */
    projectId: text('project_id'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'),
    lastError: text('last_error'),
    indexedAt: text('indexed_at'),
  },
  (t) => [
    uniqueIndex('idx_memory_index_memory_id').on(t.memoryId),
    index('idx_memory_index_state').on(t.state, t.nextAttemptAt),
    check('memory_index_state_check', oneOf(t.state, ['pending', 'indexed', 'failed'])),
  ],
);

/**
 * Sources (tasks, comments, projects) whose memory row must be derived again (local only). The
 * triggers of migration 0003 add a source here whenever its text changes or it is deleted, on
 * every path; the memory worker drains it through the write path, so memory rows reach the sync
 * outbox in their own small transaction rather than inside every task edit.
 */
export const memorySourceQueue = sqliteTable(
  'memory_source_queue',
  {
    sourceTable: text('source_table').notNull(),
    sourceId: text('source_id').notNull(),
    queuedAt: text('queued_at').notNull(),
  },
  (t) => [uniqueIndex('idx_memory_source_queue_pk').on(t.sourceTable, t.sourceId)],
);
