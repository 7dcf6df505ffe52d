import type { ApiError } from '../api';

export function ErrorBanner({
  error,
  onRetry,
  onDismiss,
  title,
}: {
  error: ApiError | Error | string;
  onRetry?: () => void;
  onDismiss?: () => void;
  title?: string;
}) {
  const message = typeof error === 'string' ? error : error.message;
  const code = typeof error === 'object' && 'code' in error ? error.code : undefined;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" className="banner-icon">
        <circle cx="8" cy="8" r="7" fill="currentColor" />
        <path d="M8 4.5v4.2M8 11v.3" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      <div className="banner-body">
        <strong>{title ?? 'Something went wrong'}</strong>
        <span>
          {message}
          {code && code !== 'INTERNAL' ? <span className="banner-code"> ({code})</span> : null}
        </span>
      </div>
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
      {onDismiss ? (
        <button type="button" className="icon-btn" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}
