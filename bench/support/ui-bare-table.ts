import type { TaskListItem } from '../../shared/entities';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/**
 * The baseline page of the ui-board bench: every task as one row of a plain HTML table, data
 * inlined (no fetching at all, which favours the baseline), plus the obvious filter a page
 * without virtualisation would have: hide the rows that do not match on each input event.
 * The filter script is an external file so the page can keep a strict CSP like the app's.
 */
export function bareTableHtml(tasks: TaskListItem[]): string {
  const rows = tasks
    .map(
      (t) =>
        `<tr><td>${esc(t.title)}</td><td>${t.status}</td><td>${t.priority}</td><td>${esc(t.assigneeName ?? 'Unassigned')}</td><td>${esc(t.projectName ?? 'No project')}</td><td>${t.dueDate ?? ''}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare table</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'">
<style>body{font:13px system-ui,sans-serif;margin:0}table{border-collapse:collapse;width:100%}td,th{padding:0 12px;height:40px;border-bottom:1px solid #e6e6e9;text-align:left;white-space:nowrap}</style>
</head><body><input id="filter" aria-label="Filter" data-testid="bare-filter">
<table id="bare"><thead><tr><th>Title</th><th>Status</th><th>Priority</th><th>Assignee</th><th>Project</th><th>Due</th></tr></thead>
<tbody>
${rows}
</tbody></table><script src="/__bench/bare-filter.js"></script></body></html>`;
}

/** The baseline's filter: case-insensitive substring on the row's text, like the app's LIKE. */
export const BARE_FILTER_JS = `(() => {
  const input = document.getElementById('filter');
  const rows = [...document.querySelectorAll('#bare tbody tr')];
  const texts = rows.map((r) => r.textContent.toLowerCase());
  input.addEventListener('input', () => {
    const q = input.value.trim().toLowerCase();
    let shown = 0;
    for (let i = 0; i < rows.length; i += 1) {
      const match = !q || texts[i].includes(q);
      rows[i].hidden = !match;
      if (match) shown += 1;
    }
    document.body.dataset.query = q;
    document.body.dataset.shown = String(shown);
  });
})();`;
