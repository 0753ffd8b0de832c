/**
 * Minimal SVG line charts, written by hand (no chart library): axes with round ticks, one
 * polyline with point markers per series, a legend. Enough for the scale curves of
 * docs/benchmarks.md, readable in a browser and on GitHub.
 */
import type { Chart } from './report.js';

const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 70, right: 150, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Round tick values covering [0, max]. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function label(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  return String(v);
}

/** The SVG text of `chart`. */
export function renderChart(chart: Chart): string {
  const points = chart.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const yTicks = ticks(Math.max(...ys, 0) * 1.05);
  const yMax = yTicks[yTicks.length - 1]!;
  const xMinData = Math.min(...xs);
  const xMaxData = Math.max(...xs);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  let xTicks: number[];
  let xPos: (x: number) => number;
  if (chart.logX) {
    const lo = Math.floor(Math.log10(Math.max(1, xMinData)));
    const hi = Math.ceil(Math.log10(Math.max(10, xMaxData)));
    xTicks = [...new Set([...xs].sort((a, b) => a - b))];
    xPos = (x) => PAD.left + ((Math.log10(x) - lo) / (hi - lo || 1)) * plotW;
  } else {
    xTicks = ticks(xMaxData);
    const xMax = xTicks[xTicks.length - 1]!;
    xPos = (x) => PAD.left + (x / xMax) * plotW;
  }
  const yPos = (y: number): number => PAD.top + plotH - (y / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  out.push(`<text x="${WIDTH / 2 - PAD.right / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`);
  for (const y of yTicks) {
    const py = yPos(y).toFixed(1);
    out.push(`<line x1="${PAD.left}" y1="${py}" x2="${PAD.left + plotW}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${label(y)}</text>`);
  }
  for (const x of xTicks) {
    const px = xPos(x).toFixed(1);
    out.push(`<line x1="${px}" y1="${PAD.top + plotH}" x2="${px}" y2="${PAD.top + plotH + 5}" stroke="black"/>`);
    out.push(`<text x="${px}" y="${PAD.top + plotH + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  out.push(`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="black"/>`);
  out.push(`<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="black"/>`);
  out.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 0) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${xPos(x).toFixed(1)},${yPos(y).toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of pts) out.push(`<circle cx="${xPos(x).toFixed(1)}" cy="${yPos(y).toFixed(1)}" r="3.5" fill="${color}"/>`);
    }
    const ly = PAD.top + 10 + i * 20;
    out.push(`<line x1="${PAD.left + plotW + 15}" y1="${ly}" x2="${PAD.left + plotW + 35}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${PAD.left + plotW + 40}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
