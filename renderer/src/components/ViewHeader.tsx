import { forwardRef, type ReactNode } from 'react';

export function ViewHeader({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <header className="view-header">
      <div className="view-title">
        <h1 id="view-title">{title}</h1>
        {subtitle !== undefined ? <span className="view-subtitle">{subtitle}</span> : null}
      </div>
      <div className="view-actions">{children}</div>
    </header>
  );
}

/** The view's text filter. `/` focuses whichever one is on screen (data-testid="filter-input"). */
export const FilterInput = forwardRef<
  HTMLInputElement,
  { value: string; onChange: (v: string) => void; placeholder?: string; label?: string }
>(function FilterInput({ value, onChange, placeholder = 'Filter…', label = 'Filter' }, ref) {
  return (
    <div className="filter">
      <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" className="filter-icon">
        <circle cx="6" cy="6" r="4.2" fill="none" stroke="currentColor" strokeWidth="1.4" />
        <path d="M9.2 9.2 12 12" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
      </svg>
      <input
        ref={ref}
        type="search"
        data-testid="filter-input"
        aria-label={label}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value) {
            e.stopPropagation();
            onChange('');
          }
        }}
      />
      <kbd className="filter-kbd" aria-hidden="true">
        /
      </kbd>
    </div>
  );
});
