import type { ReactNode } from 'react';
import type { MemoryResult } from '../../../../shared/memory';

/** A result's snippet with its matched words in <mark>; offsets come from the core, text is never HTML. */
export function Highlighted({ snippet }: { snippet: MemoryResult['snippet'] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of snippet.highlights) {
    if (start < at || end > snippet.text.length) continue;
    if (start > at) parts.push(snippet.text.slice(at, start));
    parts.push(<mark key={start}>{snippet.text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < snippet.text.length) parts.push(snippet.text.slice(at));
  return <span className="search-snippet">{parts}</span>;
}

export const TYPE_LABELS: Record<MemoryResult['contentType'], string> = { task: 'Tasks', comment: 'Comments', project: 'Projects', note: 'Notes' };
