import { insightsInput, type Insights } from '../../shared/insights';
import type { ServiceContext } from '../mutations/context';
import { parseInput } from '../common/errors';
import { addDaysToDate, isoDate } from '../common/time';
import type { createEmployeesService } from '../employees/employees-service';
import type { createProjectsService } from '../projects/projects-service';
import { loadTaskHistories, type TaskHistory } from './history';
import { computeInsights, FORECAST_WEEKS, type ProjectFacts } from './insights';
import { mondayOf } from './weeks';

export interface InsightsDeps {
  projects: ReturnType<typeof createProjectsService>;
  employees: ReturnType<typeof createEmployeesService>;
}

export interface InsightsRequest {
  projectId?: string;
  from?: string;
  to?: string;
  /** The instant treated as "now" (a past week's report reads the world as it was then). */
  asOf?: Date;
}

/** Project insights: the series behind every chart, for one project or all, over any range. */
export function createInsightsService(ctx: ServiceContext, deps: InsightsDeps) {
  const facts = (projectId: string | undefined): ProjectFacts[] =>
    projectId
      ? [deps.projects.get(projectId)].map((p) => ({ id: p.id, name: p.name, deadline: p.deadline, status: p.status }))
      : deps.projects.list().map((p) => ({ id: p.id, name: p.name, deadline: p.deadline, status: p.status }));

  return {
    histories(projectId: string | null): TaskHistory[] {
      return loadTaskHistories(ctx.statements, projectId);
    },

    compute(raw: InsightsRequest): Insights {
      const { asOf, ...rest } = raw;
      const input = parseInput(insightsInput, rest, 'insights request');
      const now = asOf ?? ctx.clock.now();
      const to = input.to ?? isoDate(now);
      // By default the window the forecast learns from, plus the current week.
      const from = input.from ?? addDaysToDate(mondayOf(to), -7 * FORECAST_WEEKS);
      const projects = facts(input.projectId);
      const one = input.projectId ? projects[0]! : null;
      const names = new Map(deps.employees.list().map((e) => [e.id, e.name]));
      return computeInsights(
        loadTaskHistories(ctx.statements, input.projectId ?? null),
        { projectId: one?.id ?? null, projectName: one?.name ?? null, deadline: one?.deadline ?? null, from, to, now },
        projects,
        names,
      );
    },
  };
}
export type InsightsService = ReturnType<typeof createInsightsService>;
