// Plain SVG charts: lines over months with an optional band, and bars. No chart library.
// Months (`YYYY-MM`) and numbers on the axes are written in the interface language.

import { num, s } from './dom';
import { month } from './messages';

export interface Series {
  label: string;
  colour: string;
  values: number[];
  dashed?: boolean;
}

const W = 460;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 36 };

/** A line chart over `labels` (months), with an optional shaded band (low, high). */
export function lineChart(labels: string[], series: Series[], band?: { low: number[]; high: number[]; colour: string; label: string }, unit = ''): SVGSVGElement {
  const all = [...series.flatMap((x) => x.values), ...(band ? band.high : [])].filter(Number.isFinite);
  const max = Math.max(1e-9, ...all);
  const n = Math.max(1, labels.length - 1);
  const x = (i: number) => PAD.left + (i / n) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}` });
  axes(svg, labels, x, y, max, unit);
  if (band) {
    const top = band.high.map((v, i) => `${x(i)},${y(v)}`);
    const bottom = band.low.map((v, i) => `${x(i)},${y(v)}`).reverse();
    svg.append(s('polygon', { points: [...top, ...bottom].join(' '), fill: band.colour, opacity: 0.25 }, s('title', {}, band.label)));
  }
  for (const line of series) {
    const points = line.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
    svg.append(s('polyline', { points, fill: 'none', stroke: line.colour, 'stroke-width': 2, 'stroke-dasharray': line.dashed ? '5 3' : null }, s('title', {}, line.label)));
  }
  legend(svg, [...series.map((l) => [l.label, l.colour] as [string, string]), ...(band ? [[band.label, band.colour] as [string, string]] : [])]);
  return svg;
}

/** A bar chart of labelled values. */
export function barChart(bars: [string, number][], colour: string): SVGSVGElement {
  const max = Math.max(1, ...bars.map(([, v]) => v));
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}` });
  const slot = (W - PAD.left - PAD.right) / Math.max(1, bars.length);
  bars.forEach(([label, value], i) => {
    const height = (value / max) * (H - PAD.top - PAD.bottom);
    const x = PAD.left + i * slot + slot * 0.2;
    svg.append(
      s('rect', { x, y: H - PAD.bottom - height, width: slot * 0.6, height, fill: colour }),
      s('text', { x: x + slot * 0.3, y: H - PAD.bottom - height - 4, 'text-anchor': 'middle' }, num(value)),
      s('text', { x: x + slot * 0.3, y: H - PAD.bottom + 14, 'text-anchor': 'middle' }, label),
    );
  });
  return svg;
}

function axes(svg: SVGSVGElement, labels: string[], x: (i: number) => number, y: (v: number) => number, max: number, unit: string): void {
  svg.append(s('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, stroke: '#999' }));
  for (const f of [0, 0.5, 1]) {
    svg.append(
      s('line', { x1: PAD.left, y1: y(max * f), x2: W - PAD.right, y2: y(max * f), stroke: '#eee' }),
      s('text', { x: PAD.left - 4, y: y(max * f) + 4, 'text-anchor': 'end' }, `${num(max * f, max < 10 ? 1 : 0)}${unit}`),
    );
  }
  const step = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((label, i) => {
    if (i % step === 0) svg.append(s('text', { x: x(i), y: H - PAD.bottom + 14, 'text-anchor': 'middle' }, /^\d{4}-\d{2}$/.test(label) ? month(label) : label));
  });
}

function legend(svg: SVGSVGElement, rows: [string, string][]): void {
  rows.forEach(([label, colour], i) => {
    const x = PAD.left + i * 140;
    svg.append(s('rect', { x, y: H - 14, width: 10, height: 10, fill: colour }), s('text', { x: x + 14, y: H - 5 }, label));
  });
}
