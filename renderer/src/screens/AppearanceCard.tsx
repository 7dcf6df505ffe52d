import { THEME_CHOICES, type ThemeChoice } from '../lib/theme';
import { useApp } from '../lib/appContext';

const LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'Match the system' };

/** Theme: stored on this computer (a display preference, not synced), applied at once. */
export function AppearanceCard() {
  const { theme, setTheme, resolvedTheme } = useApp();
  return (
    <section className="card settings-card" aria-labelledby="appearance-title" data-testid="appearance-card">
      <h2 className="form-card-title" id="appearance-title">
        Appearance
      </h2>
      <fieldset className="theme-choices">
        <legend className="muted">Theme (now {resolvedTheme}). Shift+D switches between light and dark.</legend>
        {THEME_CHOICES.map((choice) => (
          <label key={choice} className="checkbox-row">
            <input type="radio" name="theme" value={choice} data-testid={`theme-${choice}`} checked={theme === choice} onChange={() => setTheme(choice)} />
            {LABELS[choice]}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
