import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

/**
 * Text input that saves on blur/Enter. Keeps its own draft while focused or after a failed save,
 * so a background refetch never clobbers what the user is typing.
 */
export function InlineText({
  value,
  onSave,
  multiline,
  placeholder,
  className,
  label,
  testId,
  id,
  ...aria
}: {
  value: string;
  onSave: (next: string) => Promise<boolean>;
  multiline?: boolean;
  placeholder?: string;
  className?: string;
  label: string;
  testId?: string;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const [draft, setDraft] = useState(value);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => setDraft(value), [value]);

  const commit = async () => {
    if (draft === value) return;
    await onSave(draft);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      ref.current?.blur();
    } else if (e.key === 'Escape' && draft !== value) {
      e.stopPropagation();
      setDraft(value);
    }
  };

  const common = {
    id,
    ref,
    className: `inline-input${className ? ` ${className}` : ''}`,
    value: draft,
    placeholder,
    'aria-label': label,
    'data-testid': testId,
    onChange: (e: { target: { value: string } }) => setDraft(e.target.value),
    onBlur: () => void commit(),
    onKeyDown,
    ...aria,
  };
  if (multiline) return <textarea rows={4} {...common} />;
  return <input type="text" autoComplete="off" {...common} />;
}

/** Date (YYYY-MM-DD) or number input that saves on blur; empty means null. */
export function InlineValue({
  kind,
  value,
  onSave,
  label,
  testId,
  id,
  ...aria
}: {
  kind: 'date' | 'hours';
  value: string | number | null;
  onSave: (next: string) => Promise<boolean>;
  label: string;
  testId?: string;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const asText = value === null ? '' : String(value);
  const [draft, setDraft] = useState(asText);
  useEffect(() => setDraft(asText), [asText]);
  return (
    <input
      id={id}
      type={kind === 'date' ? 'date' : 'number'}
      min={kind === 'hours' ? 0 : undefined}
      step={kind === 'hours' ? 0.5 : undefined}
      inputMode={kind === 'hours' ? 'decimal' : undefined}
      className="inline-input"
      aria-label={label}
      data-testid={testId}
      value={draft}
      placeholder={kind === 'hours' ? '—' : undefined}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => {
        if (draft !== asText) void onSave(draft);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        else if (e.key === 'Escape' && draft !== asText) {
          e.stopPropagation();
          setDraft(asText);
        }
      }}
      {...aria}
    />
  );
}
