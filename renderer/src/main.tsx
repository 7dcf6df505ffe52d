import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles/app.css';
import './styles/theme.css';
import './styles/day.css';
import { applyTheme, storedTheme } from './lib/theme';

// Before the first paint, so a dark-theme user never sees a light flash.
applyTheme(storedTheme());

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
