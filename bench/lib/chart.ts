/**
 * A small SVG chart of a result, written by hand: grouped bars and one line panel, no
 * chart dependency. Every number drawn is also in latest.json and latest.md.
 */

export interface BarSeries {
  name: string;
  values: number[];
}

export interface ChartInput {
  title: string;
  subtitle: string;
  concurrencies: readonly number[];
  throughput: BarSeries[];
  p99: BarSeries[];
  objects: { groups: string[]; series: BarSeries[] };
  rss?: { label: string; points: { x: number; y: number }[]; limit: number } | undefined;
}

const PALETTE: Record<string, string> = { seed: '#c0392b', broker: '#2471a3', floor: '#7f8c8d', policies: '#e67e22', entities: '#8e44ad', aliases: '#45b39d' };
const FALLBACK = ['#8e44ad', '#d68910', '#17a589'];
const W = 480;
const H = 300;
const PAD = { left: 56, right: 16, top: 40, bottom: 48 };

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (!Number.isFinite(v) ? 'n/a' : v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));
const color = (name: string, i: number) => PALETTE[name] ?? FALLBACK[i % FALLBACK.length] ?? '#333';

/** 0, a round step, …, ≥ max: four or five gridlines. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}

function frame(x: number, y: number, title: string, yLabel: string, top: number): { svg: string[]; scaleY: (v: number) => number; plot: { x0: number; x1: number; y0: number; y1: number } } {
  const plot = { x0: x + PAD.left, x1: x + W - PAD.right, y0: y + H - PAD.bottom, y1: y + PAD.top };
  const scaleY = (v: number) => plot.y0 - (Math.max(0, v) / top) * (plot.y0 - plot.y1);
  const svg = [`<text x="${x + W / 2}" y="${y + 22}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`];
  for (const t of ticks(top)) {
    const ty = scaleY(t);
    svg.push(`<line x1="${plot.x0}" y1="${ty}" x2="${plot.x1}" y2="${ty}" stroke="#ddd"/>`, `<text x="${plot.x0 - 6}" y="${ty + 4}" text-anchor="end" font-size="11">${fmt(t)}</text>`);
  }
  svg.push(
    `<line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x1}" y2="${plot.y0}" stroke="#333"/>`,
    `<text x="${x + 14}" y="${(plot.y0 + plot.y1) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 ${x + 14} ${(plot.y0 + plot.y1) / 2})">${esc(yLabel)}</text>`,
  );
  return { svg, scaleY, plot };
}

function barPanel(x: number, y: number, title: string, yLabel: string, groups: string[], series: BarSeries[]): string {
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const top = ticks(max).at(-1) ?? max;
  const { svg, scaleY, plot } = frame(x, y, title, yLabel, top);
  const groupWidth = (plot.x1 - plot.x0) / groups.length;
  const barWidth = (groupWidth * 0.8) / series.length;
  groups.forEach((group, g) => {
    const gx = plot.x0 + g * groupWidth + groupWidth * 0.1;
    series.forEach((s, i) => {
      const v = s.values[g] ?? Number.NaN;
      const bx = gx + i * barWidth;
      const by = Number.isFinite(v) ? scaleY(v) : plot.y0;
      svg.push(
        `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plot.y0 - by).toFixed(1)}" fill="${color(s.name, i)}"><title>${esc(`${s.name} ${group}: ${fmt(v)}`)}</title></rect>`,
        `<text x="${(bx + barWidth / 2 - 1).toFixed(1)}" y="${(by - 3).toFixed(1)}" text-anchor="middle" font-size="10">${fmt(v)}</text>`,
      );
    });
    svg.push(`<text x="${(gx + groupWidth * 0.4).toFixed(1)}" y="${plot.y0 + 16}" text-anchor="middle" font-size="11">${esc(group)}</text>`);
  });
  series.forEach((s, i) => {
    const lx = plot.x0 + i * 90;
    svg.push(`<rect x="${lx}" y="${y + H - 18}" width="10" height="10" fill="${color(s.name, i)}"/>`, `<text x="${lx + 14}" y="${y + H - 9}" font-size="11">${esc(s.name)}</text>`);
  });
  return svg.join('\n');
}

function linePanel(x: number, y: number, title: string, rss: NonNullable<ChartInput['rss']>): string {
  const max = Math.max(rss.limit, ...rss.points.map((p) => p.y));
  const top = ticks(max).at(-1) ?? max;
  const { svg, scaleY, plot } = frame(x, y, title, 'RSS (MB)', top);
  const maxX = Math.max(1, ...rss.points.map((p) => p.x));
  const scaleX = (v: number) => plot.x0 + (v / maxX) * (plot.x1 - plot.x0);
  const ly = scaleY(rss.limit);
  svg.push(`<line x1="${plot.x0}" y1="${ly}" x2="${plot.x1}" y2="${ly}" stroke="#c0392b" stroke-dasharray="5,4"/>`, `<text x="${plot.x1}" y="${ly - 4}" text-anchor="end" font-size="10" fill="#c0392b">target ${rss.limit} MB</text>`);
  const d = rss.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${scaleX(p.x).toFixed(1)},${scaleY(p.y).toFixed(1)}`).join(' ');
  svg.push(`<path d="${d}" fill="none" stroke="#2471a3" stroke-width="2"/>`);
  for (const p of rss.points) svg.push(`<circle cx="${scaleX(p.x).toFixed(1)}" cy="${scaleY(p.y).toFixed(1)}" r="2.5" fill="#2471a3"><title>${fmt(p.x)}k: ${fmt(p.y)} MB</title></circle>`);
  for (const t of [0, maxX / 2, maxX]) svg.push(`<text x="${scaleX(t)}" y="${plot.y0 + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  svg.push(`<text x="${(plot.x0 + plot.x1) / 2}" y="${y + H - 9}" text-anchor="middle" font-size="11">${esc(rss.label)}</text>`);
  return svg.join('\n');
}

export function renderChart(input: ChartInput): string {
  const groups = input.concurrencies.map((c) => `concurrency ${c}`);
  const panels = [
    barPanel(0, 40, 'Throughput (issuances/s, median)', 'issuances/s', groups, input.throughput),
    barPanel(W, 40, 'p99 latency (ms, median of rounds)', 'ms', groups, input.p99),
    barPanel(0, 40 + H, 'OpenBao objects per 1,000 users', 'objects', input.objects.groups, input.objects.series),
  ];
  if (input.rss) panels.push(linePanel(W, 40 + H, 'Broker RSS during soak', input.rss));
  else panels.push(`<text x="${W + W / 2}" y="${40 + H + H / 2}" text-anchor="middle" font-size="12" fill="#777">no soak in this run (npm run bench runs one)</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${40 + 2 * H}" viewBox="0 0 ${2 * W} ${40 + 2 * H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${W}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(input.title)}</text>`,
    `<text x="${W}" y="36" text-anchor="middle" font-size="11" fill="#555">${esc(input.subtitle)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}

/** One line panel alone (the soak's RSS per round). */
export function renderRssChart(title: string, rss: NonNullable<ChartInput['rss']>): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 10}" viewBox="0 0 ${W} ${H + 10}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    linePanel(0, 10, title, rss),
    '</svg>',
    '',
  ].join('\n');
}
