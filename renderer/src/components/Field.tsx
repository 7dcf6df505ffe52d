import { useId, type ReactElement, type ReactNode } from 'react';
import { cloneElement, isValidElement } from 'react';

/** Label + control + inline error. The control gets id/aria-invalid/aria-describedby wired up. */
export function Field({
  label,
  error,
  children,
  hint,
  className,
}: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: ReactElement<Record<string, unknown>>;
  className?: string;
}) {
  const id = useId();
  // Core messages are phrased to follow the field name ("is required", "cannot be negative").
  const message = error && /^[a-z]/.test(error) ? `${label.replace(/\s*\(.*\)$/, '')} ${error}` : error;
  const errId = `${id}-err`;
  const control = isValidElement(children)
    ? cloneElement(children, {
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': error ? errId : undefined,
      })
    : children;
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {error ? (
        <div className="field-error" id={errId} role="alert">
          {message}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
}
