import { useCallback, useLayoutEffect, useState, type RefObject } from 'react';

export type VirtualRange = {
  /** First rendered index (inclusive). */
  start: number;
  /** Last rendered index (exclusive). */
  end: number;
  /** Space above the first rendered row, in px. */
  before: number;
  /** Space below the last rendered row, in px. */
  after: number;
};

/**
 * Windowing for a list of fixed-height rows inside a scroll container: only the rows in view
 * (plus `overscan` on each side) are rendered, and two spacers keep the scroll height equal to
 * `count × rowHeight`, so the scrollbar tells the truth about the whole list. Fixed heights keep
 * it O(1) per scroll event with nothing to measure. State changes only when the window moves by
 * a row, not on every scrolled pixel, so scrolling inside a row costs no React render.
 *
 * `offset` is the distance from the container's top to the first row (a sticky table header).
 */
export function useVirtualRows(
  scrollRef: RefObject<HTMLElement | null>,
  { count, rowHeight, overscan = 6, offset = 0 }: { count: number; rowHeight: number; overscan?: number; offset?: number },
): VirtualRange & { scrollToIndex: (index: number) => void } {
  const [view, setView] = useState({ top: 0, height: 0 });

  const read = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop;
    const height = el.clientHeight;
    // Quantise to rows: a render only when the first or last visible row changes.
    setView((v) =>
      Math.floor(v.top / rowHeight) === Math.floor(top / rowHeight) && Math.ceil(v.height / rowHeight) === Math.ceil(height / rowHeight)
        ? v
        : { top, height },
    );
  }, [scrollRef, rowHeight]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    read();
    el.addEventListener('scroll', read, { passive: true });
    const resize = new ResizeObserver(read);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', read);
      resize.disconnect();
    };
  }, [scrollRef, read]);

  const first = Math.max(0, Math.floor((view.top - offset) / rowHeight));
  // Before the first measurement (height 0), render a screenful guess rather than nothing.
  const visible = Math.ceil((view.height || 800) / rowHeight) + 1;
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, first + visible + overscan);

  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const rowTop = offset + index * rowHeight;
      // Only scroll when the row is (partly) outside the viewport, like scrollIntoView 'nearest'.
      if (rowTop < el.scrollTop + offset) el.scrollTop = rowTop - offset;
      else if (rowTop + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + rowHeight - el.clientHeight;
      read();
    },
    [scrollRef, rowHeight, offset, read],
  );

  return { start, end, before: start * rowHeight, after: Math.max(0, (count - end) * rowHeight), scrollToIndex };
}
