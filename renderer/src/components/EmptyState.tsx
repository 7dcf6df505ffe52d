import type { ReactNode } from 'react';

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state" data-testid="empty-state">
      <svg width="40" height="40" viewBox="0 0 40 40" aria-hidden="true" className="empty-icon">
        <rect x="6" y="9" width="28" height="22" rx="4" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M6 16h28M12 22h10M12 26h6" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
