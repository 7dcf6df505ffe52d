import type { ProjectStatus, TaskPriority, TaskStatus } from '../../shared/enums';

/** Perfex's numeric codes and Coordinator's enums. Unknown codes map to a safe default and are kept in the CRM. */
const TASK_STATUS_BY_CODE: Record<number, TaskStatus> = { 1: 'todo', 2: 'awaiting_feedback', 3: 'testing', 4: 'in_progress', 5: 'done' };
const PROJECT_STATUS_BY_CODE: Record<number, ProjectStatus> = { 1: 'todo', 2: 'in_progress', 3: 'on_hold', 4: 'done', 5: 'cancelled' };
const PRIORITY_BY_CODE: Record<number, TaskPriority> = { 1: 'low', 2: 'medium', 3: 'high', 4: 'urgent' };

const invert = <V extends string>(m: Record<number, V>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, Number(k)])) as Record<V, number>;
const TASK_CODE = invert(TASK_STATUS_BY_CODE);
const PROJECT_CODE = invert(PROJECT_STATUS_BY_CODE);
const PRIORITY_CODE = invert(PRIORITY_BY_CODE);

export const TASK_DONE_CODE = TASK_CODE.done;
export const PROJECT_FINISHED_CODE = PROJECT_CODE.done;

export const taskStatusOf = (code: number): TaskStatus => TASK_STATUS_BY_CODE[code] ?? 'todo';
export const taskStatusCode = (status: TaskStatus): number => TASK_CODE[status];
export const projectStatusOf = (code: number): ProjectStatus => PROJECT_STATUS_BY_CODE[code] ?? 'todo';
export const projectStatusCode = (status: ProjectStatus): number => PROJECT_CODE[status];
export const priorityOf = (code: number | null): TaskPriority => (code == null ? 'medium' : (PRIORITY_BY_CODE[code] ?? 'medium'));
export const priorityCode = (priority: TaskPriority): number => PRIORITY_CODE[priority];

