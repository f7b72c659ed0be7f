// Words, labels and time formatting shared by the views. No check logic: only how engine values
// are shown.

import type { Category, Grade, Severity, SnippetKind, Stage, Status, TargetKind } from './model';

/** Statuses in the order a user triages them. */
export const STATUS_ORDER: Status[] = ['fail', 'warn', 'unknown', 'manual', 'pass', 'info', 'not_applicable'];
/** Severities, most severe first. */
export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
/** Object kinds, in the order the filter lists them. */
export const KIND_ORDER: TargetKind[] = ['container', 'image', 'network', 'engine', 'host', 'client', 'waiver'];

const STATUS_LABEL: Record<Status, string> = {
  fail: 'Fail',
  warn: 'Warning',
  unknown: 'Unknown',
  manual: 'To confirm',
  pass: 'Pass',
  info: 'Info',
  not_applicable: 'Not applicable',
};
const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};
const KIND_LABEL: Record<TargetKind, string> = {
  container: 'Container',
  image: 'Image',
  network: 'Network',
  engine: 'Engine',
  host: 'Host',
  client: 'Client',
  waiver: 'Waiver',
};
const SNIPPET_LABEL: Record<SnippetKind, string> = {
  docker_run: 'docker run',
  compose: 'compose',
  daemon_json: 'daemon.json',
  shell: 'shell',
  dockerfile: 'Dockerfile',
  json: 'json',
};
const STAGE_LABEL: Record<Stage, string> = {
  connecting: 'Connecting to the engine',
  engine: 'Reading engine facts',
  containers: 'Inspecting containers',
  images: 'Inspecting images',
  host: 'Reading host facts',
  evaluating: 'Evaluating checks',
};
const STAGES: Stage[] = ['connecting', 'engine', 'containers', 'images', 'host', 'evaluating'];

/** "Fail", "Not applicable"… */
export const statusLabel = (s: Status): string => STATUS_LABEL[s] ?? s;
/** "Critical"… */
export const severityLabel = (s: Severity): string => SEVERITY_LABEL[s] ?? s;
/** "Container"… */
export const kindLabel = (k: TargetKind): string => KIND_LABEL[k] ?? k;
/** The language label of a remediation snippet ("docker run", "daemon.json"…). */
export const snippetLabel = (k: SnippetKind): string => SNIPPET_LABEL[k] ?? k;
/** "Inspecting containers"… */
export const stageLabel = (s: Stage): string => STAGE_LABEL[s] ?? s;

/** Rank for sorting by status (failures first). */
export const statusRank = (s: Status): number => STATUS_ORDER.indexOf(s);
/** Rank for sorting by severity (critical first). */
export const severityRank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);

/** Overall progress 0–1 of a scan from its stage and the counts within the stage. */
export function progressFraction(stage: Stage, done: number, total: number): number {
  const i = Math.max(0, STAGES.indexOf(stage));
  const within = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return Math.min(1, (i + within) / STAGES.length);
}

/** The tone a grade is drawn in. */
export function gradeTone(grade: Grade): 'good' | 'fair' | 'poor' | 'bad' | 'none' {
  switch (grade) {
    case 'A':
      return 'good';
    case 'B':
      return 'fair';
    case 'C':
    case 'D':
      return 'poor';
    case 'F':
      return 'bad';
    default:
      return 'none';
  }
}

/** "just now", "3 min ago", "2 h ago", "5 days ago"; future times (clock skew) read "just now". */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown time';
  const secs = Math.round((now.getTime() - t) / 1000);
  if (secs < 45) return 'just now';
  const mins = Math.round(secs / 60);
  if (mins < 60) return `${mins} min ago`;
  const hours = Math.round(mins / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/** The exact local time, for the hover text next to a relative time. */
export function exactTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** File size in B/KB/MB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Category order of the checklist. */
export const CATEGORY_ORDER: Category[] = [
  'host', 'desktop', 'versions', 'daemon', 'containers', 'images', 'network', 'secrets', 'vulnerabilities', 'policy',
];

/** Text split on backticks: odd parts are code. Engine messages quote names as `name`. */
export function inlineCode(text: string): { code: boolean; text: string }[] {
  const parts = text.split('`');
  // An unbalanced backtick is literal: join the tail back.
  if (parts.length % 2 === 0) {
    const last = parts.splice(parts.length - 2, 2).join('`');
    parts.push(last);
  }
  return parts.map((t, i) => ({ code: i % 2 === 1, text: t })).filter((p) => p.text !== '');
}

/** "1 container", "3 containers". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
