import type { View } from './appContext';

/** `g` then a letter goes to a screen (two-key sequences, like the mail clients people know). */
export const GO_TO: Readonly<Record<string, { view: View; label: string }>> = {
  h: { view: 'home', label: 'Home' },
  m: { view: 'my-tasks', label: 'My tasks' },
  t: { view: 'all-tasks', label: 'All tasks' },
  b: { view: 'board', label: 'Board' },
  p: { view: 'projects', label: 'Projects' },
  e: { view: 'people', label: 'People' },
  i: { view: 'notifications', label: 'Notifications' },
  c: { view: 'conflicts', label: 'Conflicts' },
  s: { view: 'settings', label: 'Settings' },
};

export type Shortcut = { keys: string[]; what: string; group: 'General' | 'Go to' | 'Lists and tasks' };

/** Everything the help overlay (`?`) lists; App.tsx's key handler implements each of these. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['Ctrl/⌘', 'K'], what: 'Command palette: jump anywhere, run commands, search by meaning', group: 'General' },
  { keys: ['?'], what: 'Show this help', group: 'General' },
  { keys: ['Esc'], what: 'Close the topmost dialog or panel', group: 'General' },
  { keys: ['n'], what: 'New task', group: 'Lists and tasks' },
  { keys: ['/'], what: "Focus the view's filter", group: 'Lists and tasks' },
  { keys: ['a'], what: 'Open the assistant', group: 'General' },
  { keys: ['Shift', 'D'], what: 'Toggle light / dark theme', group: 'General' },
  ...Object.entries(GO_TO).map(([key, { label }]) => ({ keys: ['g', key], what: label, group: 'Go to' as const })),
];
