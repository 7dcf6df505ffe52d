import { createContext, useContext } from 'react';
import type { AppInfo } from '../../../shared/contracts/index';
import type { TaskStatus } from '../../../shared/enums';
import type { ThemeChoice } from './theme';

export type View = 'home' | 'my-tasks' | 'all-tasks' | 'board' | 'projects' | 'people' | 'notifications' | 'conflicts' | 'settings' | 'health' | 'assistant' | 'insights';

export type NewTaskDefaults = { projectId?: string | null; assignedTo?: string | null; status?: TaskStatus };

export type ToastKind = 'info' | 'success' | 'error';

export type AppContextValue = {
  info: AppInfo;
  reloadInfo: () => void;
  view: View;
  navigate: (view: View, opts?: { projectId?: string | null }) => void;
  /** Project pre-selected by the board's filter (set when navigating from Projects). */
  boardProjectId: string | null;
  setBoardProjectId: (id: string | null) => void;
  openTask: (id: string) => void;
  closeTask: () => void;
  openTaskId: string | null;
  newTask: (defaults?: NewTaskDefaults) => void;
  toast: (message: string, kind?: ToastKind, action?: { label: string; run: () => void }) => void;
  theme: ThemeChoice;
  resolvedTheme: 'light' | 'dark';
  setTheme: (choice: ThemeChoice) => void;
  openPalette: () => void;
  openHelp: () => void;
};

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp() outside <AppContext.Provider>');
  return ctx;
}
