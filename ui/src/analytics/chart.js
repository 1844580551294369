// Accuracy over time as a uPlot line chart, one series per ai-block, sized to
// its container (height reserved, so nothing shifts as data loads), updated
// when the data changes and destroyed on unmount; next to it, the numbers it
// draws as a table and as `data-points` for tests and screen readers.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.js';
import { percent } from './numbers.js';

const plotHeight = 220;
const bucketSeconds = { hour: 3600, day: 86400 };
const paletteVars = ['--accent', '--ok', '--run', '--wait', '--bad'];
const extraColours = ['#0e9aa7', '#c2185b', '#6d4c41', '#558b2f'];

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function seriesColour(i) {
  return i < paletteVars.length ? `var(${paletteVars[i]})` : extraColours[(i - paletteVars.length) % extraColours.length];
}

function canvasColour(i) {
  return i < paletteVars.length ? cssVar(paletteVars[i]) : extraColours[(i - paletteVars.length) % extraColours.length];
}

// The points the chart draws: every bucket with feedback, per series.
export function pointsOf(series) {
  const points = [];
  for (const s of series)
    for (const b of s.buckets)
      if (b.accuracy != null)
        points.push({ series: s.label, start: b.start, accuracy: b.accuracy,
                      correct: b.correct, withFeedback: b.withFeedback });
  return points;
}

// uPlot's columns: the bucket starts (seconds), then one column per series.
function columnsOf(series) {
  const starts = [...new Set(series.flatMap((s) => s.buckets.map((b) => b.start)))].sort();
  const xs = starts.map((s) => Date.parse(s) / 1000);
  const ys = series.map((s) => {
    const byStart = new Map(s.buckets.map((b) => [b.start, b.accuracy]));
    return starts.map((start) => byStart.get(start) ?? null);
  });
  return [xs, ...ys];
}

// The x axis spans the whole range asked for (and every bucket drawn), so
// one point sits where it belongs in time. uPlot's own max is not used: for
// a single point it pads by 86,400,000 s (a day in ms, read as seconds).
function xRangeOf(hours, bucket) {
  return (u) => {
    const xs = u.data[0] ?? [];
    const now = Date.now() / 1000;
    const start = now - hours * 3600;
    const first = xs.length ? xs[0] : start;
    const last = xs.length ? xs[xs.length - 1] + (bucketSeconds[bucket] ?? 0) : now;
    return [Math.min(start, first), Math.max(now, last)];
  };
}

function optionsOf(series, bucket, hours, width) {
  const muted = cssVar('--muted');
  const grid = { stroke: cssVar('--line'), width: 1 };
  return {
    width, height: plotHeight,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: xRangeOf(hours, bucket) },
      y: { range: [0, 1] },
    },
    axes: [
      { stroke: muted, grid, ticks: grid },
      { stroke: muted, grid, ticks: grid, size: 48, values: (u, vals) => vals.map((v) => percent(v)) },
    ],
    series: [{}, ...series.map((s, i) => ({
      label: s.label, stroke: canvasColour(i), width: 2, spanGaps: true,
      points: { show: true, size: 7, fill: canvasColour(i) },
    }))],
  };
}

// Keeps a uPlot instance in `box` in step with `series`.
function usePlot(box, series, bucket, hours, hasPoints) {
  const plot = useRef(null);
  const shape = useRef('');
  const columns = columnsOf(series);
  const dataKey = JSON.stringify(columns);
  const shapeKey = bucket + '|' + hours + '|' + series.map((s) => s.label).join('|');

  useEffect(() => {
    if (!hasPoints) { plot.current?.destroy(); plot.current = null; return; }
    if (plot.current && shape.current === shapeKey) { plot.current.setData(columns); return; }
    plot.current?.destroy();
    plot.current = new uPlot(optionsOf(series, bucket, hours, box.current.clientWidth), columns, box.current);
    shape.current = shapeKey;
  }, [dataKey, shapeKey, hasPoints]);

  useEffect(() => {
    const observer = new ResizeObserver(() => {
      if (plot.current && box.current) plot.current.setSize({ width: box.current.clientWidth, height: plotHeight });
    });
    observer.observe(box.current);
    return () => { observer.disconnect(); plot.current?.destroy(); plot.current = null; };
  }, []);
}

// Always there (empty while loading), so the plot never moves down.
function Legend({ series }) {
  return html`<ul class="chart-legend">${series.map((s, i) => html`
    <li><span class="swatch" style=${{ background: seriesColour(i) }}></span>${s.label}</li>`)}</ul>`;
}

// A bucket's start as a person reads it: day buckets are UTC days.
function bucketLabel(start, bucket) {
  return bucket === 'day' ? start.slice(0, 10) + ' (UTC)'
    : new Date(start).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function NumbersTable({ series, points, bucket }) {
  if (!points.length) return null;
  const starts = [...new Set(points.map((p) => p.start))].sort();
  const cell = (s, start) => {
    const b = s.buckets.find((x) => x.start === start);
    return b?.accuracy == null ? '–' : `${percent(b.accuracy)} (${b.correct} of ${b.withFeedback})`;
  };
  return html`
    <div class="chart-numbers">
      <table class="list compact" aria-label="Accuracy numbers">
        <thead><tr><th>Bucket start</th>${series.map((s) => html`<th class="num">${s.label}</th>`)}</tr></thead>
        <tbody>${starts.map((start) => html`<tr data-start=${start}>
          <td>${bucketLabel(start, bucket)}</td>
          ${series.map((s) => html`<td class="num">${cell(s, start)}</td>`)}</tr>`)}</tbody>
      </table>
    </div>`;
}

// `series`: [{label, buckets}] with the buckets of GET /api/analytics/blocks/{id};
// `hours`: how far back the range goes.
export function AccuracyChart({ series, bucket, hours, empty }) {
  const box = useRef(null);
  const points = pointsOf(series);
  usePlot(box, series, bucket, hours, points.length > 0);
  const summary = points.length
    ? `Accuracy over time, ${series.length} series, ${points.length} points; the numbers follow in a table.`
    : 'No accuracy yet.';
  return html`
    <figure class="chart" data-chart="accuracy" data-points=${JSON.stringify(points)}>
      <${Legend} series=${series} />
      <div class="chart-box" role="img" aria-label=${summary}>
        <div class="chart-plot" ref=${box}></div>
        ${!points.length && html`<p class="chart-empty muted">${empty}</p>`}
      </div>
      <${NumbersTable} series=${series} points=${points} bucket=${bucket} />
    </figure>`;
}
