// Which rows of a long list are on screen: a scroll box of fixed-height rows
// renders only those (with a spacer above and below), so ten or a hundred
// thousand rows cost what thirty do.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

const overscan = 8;

// `selected`, when set, is scrolled into view. `box` goes on the scroll box,
// `onScroll` on it too; rows first..last-1 are drawn, with spacers of
// `before` and `after` pixels.
export function useVisibleRows(count, rowHeight, selected = null) {
  const box = useRef(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    observer.observe(el);
    return () => observer.disconnect();
  }, [box.current]);

  useEffect(() => {
    const el = box.current;
    if (!el || selected == null) return;
    const y = selected * rowHeight;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = y + rowHeight - el.clientHeight;
  }, [selected]);

  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);
  return {
    box, first, last,
    before: first * rowHeight,
    after: Math.max(0, (count - last) * rowHeight),
    onScroll: (e) => setTop(e.currentTarget.scrollTop),
  };
}
