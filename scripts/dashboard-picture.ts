/**
 * `npm run docs:dashboard`: draws docs/img/dashboard.png — the stack's CloudWatch dashboard, from
 * its own widget definitions (lib/constructs/dashboard.ts: titles, sizes, positions, metrics,
 * the guide's text, the alarms), filled with SAMPLE data (a plausible day of a mid-sized account),
 * rendered to HTML/SVG and screenshot by Debian's Chromium (`apt-get install chromium`; or set
 * CHROMIUM). It is a picture of the layout and of how to read it, not of CloudWatch's own drawing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStack } from '../test/support/synth';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'docs', 'img', 'dashboard.png');
const COLUMN = 56;
const ROW = 40;

interface WidgetJson {
  readonly type: 'text' | 'metric' | 'alarm';
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly stacked?: boolean;
    readonly metrics?: unknown[][];
    readonly alarms?: unknown[];
  };
}

/** Sample series a SEARCH expression of each metric would find (names as CloudWatch labels them), with a typical level. */
const SEARCH_SAMPLES: Readonly<Record<string, readonly [string, number][]>> = {
  Decisions: [
    ['compliant', 38],
    ['noncompliant', 9],
    ['skipped', 22],
    ['gone', 1],
  ],
  Findings: [
    ['vpc-flow-logs medium', 5],
    ['public-ip high', 3],
    ['world-open-ingress critical', 1.2],
    ['required-tags low', 2],
  ],
  Remediations: [
    ['revoke-ingress verified', 1.1],
    ['tag-interface verified', 1.1],
    ['replace-groups verified', 0.3],
    ['close-ingress withheld', 0.2],
  ],
  SkippedEvents: [
    ['own-call', 2.5],
    ['requester-managed', 18],
    ['irrelevant-change', 1],
  ],
  AlertsPublished: [
    ['decision', 6],
    ['digest', 0.6],
    ['sweep-summary', 0.05],
  ],
  SecurityHubFindings: [
    ['failed', 8],
    ['passed', 1.5],
  ],
  SinkFailures: [['sink failures', 0]],
};
/** Levels of the plain metrics, by label. */
const PLAIN_SAMPLES: Readonly<Record<string, number>> = {
  p50: 4.2,
  p90: 7.5,
  max: 12,
  'held for a digest': 4,
  'IaC conflicts': 0.1,
  'decision events': 48,
  'messages visible': 0,
};
const DURATION_SAMPLES: Readonly<Record<string, number>> = { p50: 95, p90: 230, p99: 610 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** A seeded PRNG, so the picture is the same every time. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 48 half-hour points over a day around `level`: a daytime hump, noise, and a burst at 14:00. */
function series(level: number, seed: number, burst = false): number[] {
  const next = random(seed);
  return Array.from({ length: 48 }, (_, i) => {
    if (level === 0) return 0;
    const day = 0.6 + 0.8 * Math.max(0, Math.sin(((i - 14) / 48) * 2 * Math.PI));
    const spike = burst && i >= 28 && i <= 29 ? 3 : 1;
    return Math.max(0, level * day * spike * (0.75 + 0.5 * next()));
  });
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The little markdown the guide uses: headings, bold, italics, code, paragraphs. */
function markdown(text: string): string {
  return text
    .split('\n\n')
    .map((block) => {
      const inline = escape(block)
        .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
        .replace(/\*(.+?)\*/g, '<i>$1</i>')
        .replace(/`(.+?)`/g, '<code>$1</code>');
      return block.startsWith('## ') ? `<h2>${inline.slice(3)}</h2>` : `<p>${inline}</p>`;
    })
    .join('');
}

/** The series a metric widget draws, with sample data. */
function linesOf(widget: WidgetJson, index: number): { label: string; values: number[] }[] {
  const lines: { label: string; values: number[] }[] = [];
  for (const [n, metric] of (widget.properties.metrics ?? []).entries()) {
    const last = metric[metric.length - 1] as { expression?: string; label?: string; stat?: string };
    if (last.expression) {
      const name = /MetricName="([A-Za-z]+)"/.exec(last.expression)?.[1] ?? '';
      for (const [i, [label, level]] of (SEARCH_SAMPLES[name] ?? []).entries())
        lines.push({ label, values: series(level, index * 97 + n * 13 + i, name === 'Decisions' || name === 'Findings') });
      continue;
    }
    const label = last.label ?? String(metric[1]);
    const level = metric.includes('Duration') ? (DURATION_SAMPLES[label] ?? 100) : (PLAIN_SAMPLES[label] ?? 1);
    lines.push({ label, values: series(level, index * 97 + n * 13) });
  }
  return lines;
}

function chart(widget: WidgetJson, index: number): string {
  const width = widget.width * COLUMN - 24;
  const height = widget.height * ROW - 78;
  const lines = linesOf(widget, index);
  const stacked = widget.properties.stacked === true;
  const tops = lines.map((_, i) =>
    lines[0]!.values.map((__, t) => lines.slice(0, i + 1).reduce((sum, l) => sum + (stacked ? l.values[t]! : 0), 0)),
  );
  const maxValue = Math.max(1, ...lines.flatMap((l, i) => (stacked ? tops[i]! : l.values)));
  const x = (t: number) => 34 + (t / 47) * (width - 44);
  const y = (v: number) => 8 + (1 - v / maxValue) * (height - 26);
  const paths = lines
    .map((line, i) => {
      const values = stacked ? tops[i]! : line.values;
      const points = values.map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      const color = COLORS[i % COLORS.length]!;
      if (!stacked) return `<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${points}"/>`;
      const below = i === 0 ? values.map(() => 0) : tops[i - 1]!;
      const base = below
        .map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .reverse()
        .join(' ');
      return `<polygon fill="${color}" fill-opacity="0.55" stroke="${color}" stroke-width="1" points="${points} ${base}"/>`;
    })
    .reverse()
    .join('');
  const grid = [0, 0.5, 1]
    .map(
      (f) =>
        `<line x1="34" x2="${width - 10}" y1="${y(maxValue * f)}" y2="${y(maxValue * f)}" stroke="#e3e3e3"/><text x="30" y="${y(maxValue * f) + 4}" text-anchor="end">${(maxValue * f).toFixed(maxValue < 10 ? 1 : 0)}</text>`,
    )
    .join('');
  const hours = [0, 6, 12, 18, 24]
    .map((h) => `<text x="${x((h / 24) * 47)}" y="${height - 4}" text-anchor="middle">${String(h % 24).padStart(2, '0')}:00</text>`)
    .join('');
  const legend = lines.map((l, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escape(l.label)}</span>`).join('');
  return `<svg width="${width}" height="${height}">${grid}${paths}${hours}</svg><div class="legend">${legend}</div>`;
}

function alarmsWidget(names: readonly string[]): string {
  return `<div class="alarms">${names.map((n) => `<div class="alarm"><span class="ok">OK</span>${escape(n)}</div>`).join('')}</div>`;
}

function main(): void {
  const { stack } = buildStack({ 'eniGuard:securityHub': true, 'eniGuard:decisionEvents': true });
  const widgets = stack.operations.dashboard.rows.flat().flatMap((w) => stack.resolve(w.toJson()) as WidgetJson[]);
  const alarmNames = stack.alarms.all.map((a) => `EniGuardStack-responder-${a.node.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`);
  const bottom = Math.max(...widgets.map((w) => w.y + w.height));
  const cells = widgets
    .map((w, i) => {
      const style = `left:${w.x * COLUMN}px;top:${w.y * ROW}px;width:${w.width * COLUMN - 8}px;height:${w.height * ROW - 8}px`;
      const body = w.type === 'text' ? markdown(w.properties.markdown ?? '') : w.type === 'alarm' ? alarmsWidget(alarmNames) : chart(w, i);
      return `<div class="widget ${w.type}" style="${style}">${w.properties.title ? `<h3>${escape(w.properties.title)}</h3>` : ''}${body}</div>`;
    })
    .join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body{margin:0;background:#f2f3f3;font:12px "DejaVu Sans",Arial,sans-serif;color:#16191f}
    .banner{padding:10px 14px;font-size:15px;font-weight:bold;background:#232f3e;color:#fff}
    .banner small{font-weight:normal;color:#d5dbdb;margin-left:12px}
    .board{position:relative;margin:10px;height:${bottom * ROW}px}
    .widget{position:absolute;background:#fff;border:1px solid #d5dbdb;border-radius:2px;padding:8px;box-sizing:border-box;overflow:hidden}
    .widget h3{margin:0 0 6px;font-size:13px}
    .text{background:#fafafa} .text h2{margin:0 0 6px;font-size:15px} .text p{margin:0 0 5px;line-height:1.35}
    code{background:#eef;padding:0 3px;border-radius:2px;font-size:11px}
    svg text{font-size:10px;fill:#687078}
    .legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin-top:2px;font-size:11px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
    .alarm{padding:4px 0;border-bottom:1px solid #eee;font-size:11px} .ok{display:inline-block;width:44px;margin-right:8px;text-align:center;color:#fff;background:#1d8102;border-radius:2px}
  </style></head><body><div class="banner">CloudWatch › Dashboards › EniGuardStack dashboard<small>sample data — a picture of the layout, drawn from lib/constructs/dashboard.ts by scripts/dashboard-picture.ts</small></div>
  <div class="board">${cells}</div></body></html>`;
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-dashboard-'));
  const page = join(dir, 'dashboard.html');
  writeFileSync(page, html);
  mkdirSync(join(ROOT, 'docs', 'img'), { recursive: true });
  const chromium = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
  const shot = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${24 * COLUMN + 20},${bottom * ROW + 60}`,
      `--screenshot=${OUT}`,
      `file://${page}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (shot.error || shot.status !== 0) {
    throw new Error(
      `${chromium} could not take the screenshot (apt-get install chromium, or set CHROMIUM): ${shot.error?.message ?? shot.stderr}`,
    );
  }
  console.log(`wrote ${OUT}`);
}

main();
