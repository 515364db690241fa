/**
 * bench/results.json and bench/RESULTS.md. The JSON keeps one section per benchmark (failover, move, push,
 * idle, apply, webui, mirror), each with the conditions it ran under; a run with `--only` replaces the
 * sections it ran and keeps the others. The Markdown is the short table the README includes, rendered from
 * every section in the JSON.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, describeTarget } from './figures.js';
import type { Figure } from './figures.js';

export const SECTIONS = ['failover', 'move', 'push', 'idle', 'apply', 'webui', 'mirror'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  git: { commit: string; dirty: boolean };
}

export interface Section {
  date: string;
  durationS: number;
  quick: boolean;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  conditions: string[];
  figures: Figure[];
  details: unknown;
  errors: string[];
  /** The commit measured (absent in sections written before it was recorded). */
  commit?: string;
}

export interface Results {
  schema: 1;
  updated: string;
  machine: Machine;
  sections: Partial<Record<SectionName, Section>>;
}

function isSectionName(k: string): k is SectionName {
  return (SECTIONS as readonly string[]).includes(k);
}

/** The sections of an earlier results file, or none if it is missing or not ours. */
export function readSections(file: string): Results['sections'] {
  if (!existsSync(file)) return {};
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof json !== 'object' || json === null || !('schema' in json) || json.schema !== 1 || !('sections' in json)) return {};
    const sections = json.sections;
    if (typeof sections !== 'object' || sections === null) return {};
    const out: Results['sections'] = {};
    for (const [k, v] of Object.entries(sections)) if (isSectionName(k)) out[k] = v as Section; // written by writeResults below
    return out;
  } catch {
    return {};
  }
}

const round2 = (xs: number[]) => xs.map((x) => Math.round(x * 100) / 100);
export const loadAverage = (os: { loadavg(): number[] }) => round2(os.loadavg());

function metText(f: Figure): string {
  if (f.met === null) return '';
  if (f.met && f.metByEveryRun) return 'yes';
  if (f.met) return 'yes (median; not every run)';
  return '**no**';
}

function resultText(f: Figure): string {
  const main = describe(f);
  if (!f.beside || f.beside.median === null) return main;
  return `${main}; ${f.beside.label}: ${f.beside.median.toLocaleString('en-US')} ${f.unit}`;
}

const TITLES: Record<SectionName, string> = {
  failover: 'Failover after kill -9 of the active agent',
  move: 'Manual move (group.move)',
  push: 'Status push to the WebUI',
  idle: 'Idle agent',
  apply: 'Apply at 32 servers',
  webui: 'WebUI bundle',
  mirror: 'Mirror disk',
};

export function renderMarkdown(r: Results): string {
  const m = r.machine;
  const lines: string[] = [
    '# Kumo benchmark results',
    '',
    `Measured by \`pnpm bench\` on ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; the last run measured commit ${m.git.commit.slice(0, 10)}${m.git.dirty ? ' with uncommitted changes in the tree' : ''} (each section names its own).`,
    'Every process runs on this one machine, shared with other work: medians over the runs, with min–max. Targets are judged on the median. Full data: `bench/results.json`.',
    '',
    '| Figure | Median (min–max, runs) | Target | Met |',
    '|---|---|---|---|',
  ];
  for (const name of SECTIONS) {
    const s = r.sections[name];
    if (!s) continue;
    lines.push(`| **${TITLES[name]}** (${s.date.slice(0, 10)}${s.commit ? `, commit ${s.commit}` : ''}, load ${s.loadAverageAtStart[0] ?? '?'}${s.quick ? ', quick' : ''}) | | | |`);
    for (const f of s.figures) lines.push(`| ${f.label} | ${resultText(f)} | ${describeTarget(f.target, f.unit)} | ${metText(f)} |`);
  }
  const breakdown = failoverBreakdown(r);
  if (breakdown.length > 0) lines.push('', '### Where a failover\'s time goes (medians, ms)', '', ...breakdown);
  // A condition shared by several sections (the chapter clusters') is written once.
  const conditions = new Map<string, string[]>();
  for (const n of SECTIONS) for (const c of r.sections[n]?.conditions ?? []) conditions.set(c, [...(conditions.get(c) ?? []), TITLES[n]]);
  if (conditions.size > 0) lines.push('', '### Conditions', '', ...[...conditions].map(([c, titles]) => `- ${titles.join('; ')}: ${c}`));
  const missed = SECTIONS.flatMap((n) => (r.sections[n]?.figures ?? []).filter((f) => f.met === false && f.notes && f.notes.length > 0));
  if (missed.length > 0) lines.push('', '### Notes on the missed targets', '', ...missed.map((f) => `- ${f.label}: ${(f.notes ?? []).join('; ')}`));
  const short = (e: string) => {
    const line = e.split('\n')[0] ?? '';
    return line.length > 300 ? `${line.slice(0, 300)}…` : line;
  };
  const errors = SECTIONS.flatMap((n) => (r.sections[n]?.errors ?? []).map((e) => `- ${TITLES[n]}: ${short(e)}`));
  if (errors.length > 0) lines.push('', '### Problems during the run', '', ...errors);
  return `${lines.join('\n')}\n`;
}

/** A table of the failover phases per chapter, from the failover section's details. */
function failoverBreakdown(r: Results): string[] {
  const details = r.sections.failover?.details;
  if (typeof details !== 'object' || details === null) return [];
  const chapters = Object.entries(details as Record<string, { failoverPhasesMedianMs?: Record<string, number | null>; phaseMeaning?: Record<string, string> }>).filter(([, d]) => d.failoverPhasesMedianMs);
  if (chapters.length === 0) return [];
  const meaning = chapters[0]![1].phaseMeaning ?? {};
  const phases = Object.keys(meaning);
  const out = [`| Phase | ${chapters.map(([c]) => c.toUpperCase()).join(' | ')} |`, `|---|${chapters.map(() => '---|').join('')}`];
  for (const p of phases) out.push(`| ${meaning[p] ?? p} | ${chapters.map(([, d]) => d.failoverPhasesMedianMs?.[p] ?? '–').join(' | ')} |`);
  return out;
}

/** The results file as written by `writeResults`, or null when there is none. */
export function readResults(file: string): Results | null {
  if (!existsSync(file)) return null;
  const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (typeof json !== 'object' || json === null || !('schema' in json) || json.schema !== 1) return null;
  return json as Results; // our own file, written by writeResults below
}

export function writeResults(dir: string, r: Results): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'results.json');
  const md = path.join(dir, 'RESULTS.md');
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, renderMarkdown(r));
  return { json, md };
}
