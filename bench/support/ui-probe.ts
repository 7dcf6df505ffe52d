/**
 * In-page instrumentation for the ui-board bench, injected before any app script. Plain JS in a
 * string (like the e2e bridge) so nothing from the bundler leaks into the page.
 *
 * - Ready time: the first moment the page's "interactive" condition holds, taken after the frame
 *   that shows it has been produced (requestAnimationFrame, then a task), in ms since navigation.
 *   Board: every column has its total and cards are rendered. Bare table: all rows parsed.
 *   When the app opens on another screen, the probe clicks the Board link itself (no CDP hop).
 * - Keystroke latency: armed with the expected filter text, it takes the keydown's timestamp,
 *   then the moment the DOM shows that filter's result (MutationObserver, so no polling delay)
 *   and the moment after the next frame.
 */
export const PROBE_SCRIPT = `(() => {
  const afterFrame = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));
  const probe = { ready: null, last: null, expect: null, t0: null };
  window.__probe = probe;
  const boardReady = () => {
    const board = document.querySelector('[data-testid="board"]');
    if (!board) {
      const nav = document.querySelector('[data-testid="nav-board"]');
      if (nav && !probe.clicked) { probe.clicked = true; nav.click(); }
      return false;
    }
    if (board.hidden) return false;
    const columns = board.querySelectorAll('[data-testid^="board-column-"]');
    return columns.length === 5 && [...columns].every((c) => c.hasAttribute('data-total')) && board.querySelector('.task-card') !== null;
  };
  const bareReady = () => document.readyState !== 'loading' && document.querySelector('#bare tbody tr:last-child') !== null;
  const poll = () => {
    if (probe.ready !== null) return;
    const ok = location.pathname.includes('/__bench/') ? bareReady() : boardReady();
    if (ok) afterFrame(() => { probe.ready = performance.now(); });
    else requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);

  const shows = (text) => {
    if (location.pathname.includes('/__bench/')) return document.body.dataset.query === text.toLowerCase();
    const columns = document.querySelectorAll('[data-testid="board"] [data-testid^="board-column-"]');
    if (columns.length !== 5) return false;
    return [...columns].every((c) => {
      try { return (JSON.parse(c.getAttribute('data-query') || '{}').text || '') === text; } catch { return false; }
    });
  };
  probe.arm = (text) => {
    probe.expect = text; probe.last = null; probe.t0 = null; probe.dom = null;
  };
  window.addEventListener('keydown', (e) => { if (probe.expect !== null && probe.t0 === null) probe.t0 = e.timeStamp; }, true);
  new MutationObserver(() => {
    if (probe.expect === null || probe.t0 === null || probe.dom !== null) return;
    if (!shows(probe.expect)) return;
    probe.dom = performance.now();
    const t0 = probe.t0, dom = probe.dom;
    afterFrame(() => { probe.last = { dom: dom - t0, frame: performance.now() - t0 }; probe.expect = null; });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-query', 'hidden', 'data-total'] });
})();`;
