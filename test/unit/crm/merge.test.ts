/**
 * The bridge's per-field three-way decision (docs/crm-merge.md), as a property over projects' shared
 * fields: a field is an edit only when the CRM moved it from the base; it is one-sided when the central
 * still holds the base, and contested only when the central moved it to something else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROJECT_FIELDS, type MapContext } from '../../../core/crm/fields';
import type { ProjectRecord } from '../../../core/crm/records';
import { crmEdits } from '../../../core/crm/shared-entity';

const ctx: MapContext = {
  timeZone: 'Europe/Berlin',
  employeeForStaff: () => null,
  staffForEmployee: () => null,
  userForStaff: () => null,
  staffForUser: () => null,
  projectForCrm: () => null,
  crmForProject: () => null,
  taskForCrm: () => null,
  crmForTask: () => null,
  fitPlain: (_table, value) => value,
};

const word = fc.constantFrom('alpha', 'bravo', 'delta');
const day = fc.constantFrom(null, '2026-01-05', '2026-02-10');
const record = fc.record({
  name: word, description: word, status: fc.constantFrom(1, 2, 3), startDate: day, deadline: day, dateFinished: fc.constantFrom(null, '2026-03-01 10:00:00'),
});
type Shared = Omit<ProjectRecord, 'createdOn' | 'addedFrom'>;
const centralOf = (r: Shared) => Object.fromEntries(PROJECT_FIELDS.map((f) => [f.column, f.toCentral(r[f.key as keyof Shared], ctx)]));

describe('crmEdits', () => {
  it('splits the CRM\'s edits into one-sided and contested ones against the merge base, and leaves everything else alone', () => {
    fc.assert(
      fc.property(record, record, record, (base, now, centralRecord) => {
        const central = centralOf(centralRecord);
        const { oneSided, bothSides } = crmEdits<ProjectRecord>(PROJECT_FIELDS, base, now, central, ctx);
        const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
        for (const f of PROJECT_FIELDS) {
          const key = f.key as keyof Shared;
          const target = f.toCentral(now[key], ctx);
          const baseValue = f.toCentral(base[key], ctx);
          const crmMoved = !same(target, baseValue);
          const centralMoved = !same(central[f.column], baseValue);
          // Both moved, to values that mean the same: the central value written to the CRM is the CRM's.
          const agree = same(central[f.column], target) || (f.direction === 'both' && same(f.toCrm(central[f.column], now[key], ctx), now[key]));
          expect(oneSided[f.column], f.column).toEqual(crmMoved && !centralMoved ? target : undefined);
          expect(bothSides[f.column], f.column).toEqual(crmMoved && centralMoved && !agree ? target : undefined);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a one-sided CRM edit of an import-only field (Perfex\'s finish date) is taken', () => {
    const base = { name: 'a', description: '', status: 4, startDate: null, deadline: null, dateFinished: '2026-01-20 17:00:00' };
    const now = { ...base, dateFinished: '2026-02-11 09:00:00' };
    expect(crmEdits(PROJECT_FIELDS, base, now, centralOf(base), ctx)).toEqual({ oneSided: { end_date: '2026-02-11' }, bothSides: {} });
  });
});
