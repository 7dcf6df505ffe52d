import { initials } from '../lib/format';

// Dark enough for white initials at 4.5:1 (axe color-contrast), hues kept apart.
const PALETTE = ['#4f5bc4', '#13808f', '#2c7d55', '#b35a14', '#c53030', '#7c4dcc', '#8a6a00', '#5a6775', '#1f7a6f', '#b03d7e'];

function colourFor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length] ?? '#5e6ad2';
}

export function Avatar({ name, size = 20 }: { name: string | null | undefined; size?: number }) {
  if (!name) {
    return (
      <span className="avatar avatar-empty" style={{ width: size, height: size }} aria-hidden="true">
        <svg width={size * 0.6} height={size * 0.6} viewBox="0 0 12 12">
          <circle cx="6" cy="4.2" r="2.2" fill="none" stroke="currentColor" strokeWidth="1.2" />
          <path d="M2 11c.6-2.2 2.2-3.3 4-3.3s3.4 1.1 4 3.3" fill="none" stroke="currentColor" strokeWidth="1.2" />
        </svg>
      </span>
    );
  }
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, fontSize: Math.max(8, Math.round(size * 0.42)), background: colourFor(name) }}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
