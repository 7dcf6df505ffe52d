import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { onEvent } from './api';
import { HelpOverlay } from './components/HelpOverlay';
import { CommandPalette } from './components/palette/CommandPalette';
import { Loading } from './components/EmptyState';
import { ErrorBanner } from './components/ErrorBanner';
import { NewTaskDialog } from './components/NewTaskDialog';
import { Sidebar } from './components/Sidebar';
import { TaskDetailPanel } from './components/TaskDetailPanel';
import { Toasts, type Toast } from './components/Toasts';
import { AppContext, type AppContextValue, type NewTaskDefaults, type View } from './lib/appContext';
import { GO_TO } from './lib/shortcuts';
import { STARTED_EMPTY_KEY, takeNotice } from './lib/team';
import { useTheme } from './lib/theme';
import { useQuery } from './lib/useQuery';
import { HomeScreen } from './screens/HomeScreen';
import { AssistantScreen } from './screens/AssistantScreen';
import { BoardScreen } from './screens/BoardScreen';
import { ConflictsScreen } from './screens/ConflictsScreen';
import { HealthScreen } from './screens/HealthScreen';
import { InsightsScreen } from './screens/InsightsScreen';
import { NotificationsScreen } from './screens/NotificationsScreen';
import { PeopleScreen } from './screens/PeopleScreen';
import { ProjectsScreen } from './screens/ProjectsScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { TaskListScreen } from './screens/TaskListScreen';
import { WelcomeScreen } from './screens/WelcomeScreen';

const VIEWS: readonly View[] = ['home', 'my-tasks', 'all-tasks', 'board', 'projects', 'people', 'notifications', 'conflicts', 'settings', 'health', 'assistant', 'insights'];

const storage = {
  get(key: string): string | null {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      /* storage unavailable: the preference just isn't remembered */
    }
  },
};

/** True when a key press is text entry, so single-key shortcuts must not fire. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return false;
}

export function App() {
  const info = useQuery('app.info', undefined, { tables: ['users', 'employees'] });
  const [startedEmpty, setStartedEmpty] = useState(() => storage.get(STARTED_EMPTY_KEY) === '1');

  if (!info.data) {
    return (
      <div className="boot">
        {info.error ? (
          <div className="boot-error">
            <ErrorBanner error={info.error} title="Coordinator could not start" onRetry={info.reload} />
          </div>
        ) : (
          <Loading label="Starting Coordinator…" />
        )}
      </div>
    );
  }

  if (info.data.isEmpty && !startedEmpty) {
    return (
      <WelcomeScreen
        version={info.data.version}
        onDone={() => {
          storage.set(STARTED_EMPTY_KEY, '1');
          setStartedEmpty(true);
          info.reload();
        }}
      />
    );
  }

  return <Shell info={info.data} reloadInfo={info.reload} />;
}

function Shell({ info, reloadInfo }: { info: AppContextValue['info']; reloadInfo: () => void }) {
  const [view, setView] = useState<View>(() => {
    const saved = storage.get('coordinator.view');
    return VIEWS.find((v) => v === saved) ?? 'home';
  });
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const theme = useTheme();
  // Per-type "show a pop-up" preferences; read through a ref so the event listener stays put.
  const prefs = useQuery('users.notificationPrefs', undefined, { tables: ['users'] });
  const prefsRef = useRef(prefs.data);
  prefsRef.current = prefs.data;
  const [boardProjectId, setBoardProjectId] = useState<string | null>(null);
  const [openTaskId, setOpenTaskId] = useState<string | null>(null);
  const [newTaskDefaults, setNewTaskDefaults] = useState<NewTaskDefaults | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toastSeq = useRef(0);

  const dismissToast = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const toast = useCallback<AppContextValue['toast']>(
    (message, kind = 'info', action) => {
      const id = ++toastSeq.current;
      setToasts((ts) => [...ts.slice(-3), { id, message, kind, action }]);
      setTimeout(() => dismissToast(id), 5000);
    },
    [dismissToast],
  );

  const navigate = useCallback<AppContextValue['navigate']>((next, opts) => {
    if (opts && 'projectId' in opts) setBoardProjectId(opts.projectId ?? null);
    setView(next);
    storage.set('coordinator.view', next);
  }, []);

  const newTask = useCallback(
    (defaults?: NewTaskDefaults) =>
      setNewTaskDefaults(defaults ?? (view === 'board' && boardProjectId ? { projectId: boardProjectId } : {})),
    [view, boardProjectId],
  );
  const openTask = useCallback((id: string) => setOpenTaskId(id), []);
  const closeTask = useCallback(() => {
    // Blur first so a field being edited in the panel saves (fields save on blur).
    const active = document.activeElement;
    if (active instanceof HTMLElement && active.closest('.detail-panel')) active.blur();
    setOpenTaskId(null);
  }, []);

  // What a sync that replaced the data said before the window reloaded (joining a team).
  useEffect(() => {
    const notice = takeNotice();
    if (notice) toast(notice, 'info');
  }, [toast]);

  // Toast when a notification arrives for the current user.
  useEffect(
    () =>
      onEvent('notifications.new', (n) => {
        if (prefsRef.current?.[n.type].inApp === false) return; // muted type: the center still lists it
        const taskId = n.taskId;
        toast(n.title, 'info', taskId ? { label: 'Open', run: () => setOpenTaskId(taskId) } : undefined);
      }),
    [toast],
  );

  // coordinator://task/<id> links (OS notification clicks, deep links) open the task.
  useEffect(
    () =>
      onEvent('app.openUrl', ({ url }) => {
        const match = /^coordinator:\/\/task\/([0-9a-f-]{36})(?:[/?#]|$)/i.exec(url);
        if (match?.[1]) setOpenTaskId(match[1]);
      }),
    [],
  );

  // Global shortcuts (listed in lib/shortcuts.ts and the `?` overlay). `g` starts a two-key
  // "go to" sequence that expires after a moment, so a stray `g` does not capture the next key.
  const goPending = useRef(0);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K')) {
        e.preventDefault();
        setHelpOpen(false);
        setPaletteOpen((o) => !o);
        return;
      }
      if (e.key === 'Escape') {
        if (e.defaultPrevented) return;
        if (helpOpen) {
          e.preventDefault();
          setHelpOpen(false);
        } else if (newTaskDefaults) {
          e.preventDefault();
          setNewTaskDefaults(null);
        } else if (openTaskId) {
          e.preventDefault();
          closeTask();
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || isTyping(e.target)) return;
      if (newTaskDefaults || paletteOpen || helpOpen) return; // a modal is open
      if (goPending.current > Date.now()) {
        goPending.current = 0;
        const target = GO_TO[e.key.toLowerCase()];
        if (target) {
          e.preventDefault();
          navigate(target.view);
          return;
        }
      }
      if (e.key === 'g') {
        goPending.current = Date.now() + 1500;
        return;
      }
      if (e.key === '?') {
        e.preventDefault();
        setHelpOpen(true);
      } else if (e.key === 'D' && e.shiftKey) {
        e.preventDefault();
        theme.setChoice(theme.resolved === 'dark' ? 'light' : 'dark');
      } else if (e.key === 'n' || e.key === 'N') {
        e.preventDefault();
        newTask();
      } else if (e.key === 'a' || e.key === 'A') {
        e.preventDefault();
        navigate('assistant');
      } else if (e.key === '/') {
        const input = document.querySelector<HTMLInputElement>('main [data-testid="filter-input"]');
        if (input) {
          e.preventDefault();
          input.focus();
          input.select();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [newTaskDefaults, openTaskId, newTask, closeTask, navigate, helpOpen, paletteOpen, theme.resolved, theme.setChoice]);

  const ctx = useMemo<AppContextValue>(
    () => ({
      info,
      reloadInfo,
      view,
      navigate,
      boardProjectId,
      setBoardProjectId,
      openTask,
      closeTask,
      openTaskId,
      newTask,
      toast,
      theme: theme.choice,
      resolvedTheme: theme.resolved,
      setTheme: theme.setChoice,
      openPalette: () => setPaletteOpen(true),
      openHelp: () => setHelpOpen(true),
    }),
    [info, reloadInfo, view, navigate, boardProjectId, openTask, closeTask, openTaskId, newTask, toast, theme.choice, theme.resolved, theme.setChoice],
  );

  return (
    <AppContext.Provider value={ctx}>
      <div className={`app${openTaskId ? ' has-panel' : ''}`}>
        <Sidebar />
        <main className="main" id="main">
          {view === 'home' ? <HomeScreen /> : null}
          {view === 'my-tasks' ? <TaskListScreen key="mine" mode="mine" /> : null}
          {view === 'all-tasks' ? <TaskListScreen key="all" mode="all" /> : null}
          {view === 'board' ? <BoardScreen /> : null}
          {view === 'projects' ? <ProjectsScreen /> : null}
          {view === 'people' ? <PeopleScreen /> : null}
          {view === 'notifications' ? <NotificationsScreen /> : null}
          {view === 'conflicts' ? <ConflictsScreen /> : null}
          {view === 'settings' ? <SettingsScreen /> : null}
          {view === 'health' ? <HealthScreen /> : null}
          {view === 'assistant' ? <AssistantScreen /> : null}
          {view === 'insights' ? <InsightsScreen /> : null}
        </main>
        {openTaskId ? <TaskDetailPanel key={openTaskId} taskId={openTaskId} onClose={closeTask} /> : null}
      </div>
      {newTaskDefaults ? (
        <NewTaskDialog
          defaults={newTaskDefaults}
          onClose={() => setNewTaskDefaults(null)}
          onCreated={(task) => {
            setNewTaskDefaults(null);
            toast(`Created “${task.title}”`, 'success', { label: 'Open', run: () => setOpenTaskId(task.id) });
          }}
        />
      ) : null}
      {paletteOpen ? <CommandPalette onClose={() => setPaletteOpen(false)} /> : null}
      {helpOpen ? <HelpOverlay onClose={() => setHelpOpen(false)} /> : null}
      <Toasts toasts={toasts} dismiss={dismissToast} />
    </AppContext.Provider>
  );
}
