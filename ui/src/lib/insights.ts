// Read-only views over a report for the overview and host pages: top risks and the host identity.
// Every value is read from the engine's report: the order of the risks (`report.risks`) and which
// check describes which aspect of the engine and host (`report.identity`) are the engine's; nothing
// is judged or ranked here, and no check code is named.

import type { CheckResult, IdentityAspect, IdentityFact, Report, ScoreCap, Severity, Status } from './model';

/** A check to act on, as the overview lists it: the engine's risk joined to its check. */
export type TopRisk = {
  check: CheckResult;
  failing: number;
  gain: number | null;
  /** Set when fixing this check alone gains nothing: what fixing all of a severity gives, and why. */
  together: Together | null;
};

/**
 * What fixing every failing check of one severity gives, for a risk whose own fix gains nothing:
 * the engine's `score_if_fixed_by_severity`, and why one alone does not move the score.
 */
export type Together = {
  /** The severity to fix all of: the cap's when a cap holds the score, else the risk's own. */
  severity: Severity;
  /** How many failing or warning checks have that severity. */
  checks: number;
  /** The overall score with all of them fixed, and the points that gains. */
  score: number;
  gain: number;
  /** The cap that holds the score while any check of its severity fails, when that is the reason. */
  cap: ScoreCap | null;
};

/** The first `limit` failing or warning risks, in the engine's order (`report.risks`), each with its check. */
export function topRisks(report: Report, limit = 8): TopRisk[] {
  const checks = new Map(report.checks.map((c) => [c.id, c]));
  const out: TopRisk[] = [];
  for (const risk of report.risks ?? []) {
    if (out.length >= limit) break;
    const check = checks.get(risk.check);
    if (!check || (risk.status !== 'fail' && risk.status !== 'warn')) continue;
    const gain = risk.gain ?? null;
    const together = gain === 0 ? fixingAll(report, risk.capped?.severity ?? risk.severity, risk.capped ?? null) : null;
    out.push({ check, failing: risk.failing, gain, together });
  }
  return out;
}

/** What fixing every failing or warning check of `severity` gives, when it raises the score. */
function fixingAll(report: Report, severity: Severity, cap: ScoreCap | null): Together | null {
  const score = report.score_if_fixed_by_severity?.[severity];
  if (score == null || report.score == null || score <= report.score) return null;
  const checks = (report.risks ?? []).filter(
    (r) => r.severity === severity && (r.status === 'fail' || r.status === 'warn'),
  ).length;
  return { severity, checks, score, gain: score - report.score, cap };
}

/** The one line under a risk that gains nothing alone: what fixing all of its kind gives, and why. */
export function togetherText(t: Together): string {
  const sev = t.severity;
  const all = t.checks === 1 ? `the ${sev} check` : `all ${t.checks} ${sev}`;
  const why = t.cap ? `capped at ${t.cap.score} while any ${t.cap.severity} fails` : 'alone it moves the score under a point';
  return `Fixing ${all}: ${t.score} (+${t.gain}) · ${why}`;
}

/** One fact of the host/engine identity card. */
export type Fact = {
  label: string;
  value: string;
  status: Status | null;
  /** The check behind it, to open. */
  code: string | null;
  detail: string | null;
};

/** Short verdict words per status, for facts. */
const VERDICT: Record<Status, string> = {
  pass: 'OK',
  fail: 'At risk',
  warn: 'Needs attention',
  unknown: 'Unknown',
  manual: 'To confirm',
  info: 'Noted',
  not_applicable: 'Not applicable',
};

/** The card's label of each aspect the engine describes: presentation words, the UI's own. */
const ASPECT_LABEL: Record<IdentityAspect, string> = {
  engine_version: 'Docker Engine',
  data_root_encryption: 'Data-root encryption',
  disk_encryption: 'Disk encryption',
  user_privileges: 'User privileges',
};

/** The engine's fact about `aspect`, if it judged it. */
export function identityFact(report: Report, aspect: IdentityAspect): IdentityFact | null {
  return (report.identity ?? []).find((f) => f.aspect === aspect) ?? null;
}

/** A card fact from the engine's verdict on `aspect`: its status, its summary, the check to open. */
export function factOf(report: Report, aspect: IdentityAspect, value?: string): Fact {
  const label = ASPECT_LABEL[aspect];
  const fact = identityFact(report, aspect);
  if (!fact) return { label, value: value ?? 'Not checked', status: null, code: null, detail: null };
  return { label, value: value ?? VERDICT[fact.status], status: fact.status, code: fact.check, detail: fact.summary };
}

/**
 * The engine that answered, as the terminal header names it: `Docker 20.10.24`, `Podman 4.3.1 ·
 * rootless` (Podman speaks Docker's API too; reports older than `product` were all Docker).
 */
export function engineName(engine: NonNullable<Report['subject']['engine']>): string {
  const product = engine.product && engine.product !== 'Docker Engine' ? engine.product : 'Docker';
  return `${product} ${engine.version}${engine.rootless ? ' · rootless' : ''}`;
}

/** The identity card of the overview: engine version and currency, OS, encryption, privileges, endpoint. */
export function identity(report: Report): Fact[] {
  const s = report.subject;
  const engine = s.engine;
  const versionValue = engine ? engineName(engine) : 'Engine unreachable';
  const facts: Fact[] = [
    factOf(report, 'engine_version', versionValue),
    {
      label: 'Operating system',
      value: s.host ? `${s.host.os} · kernel ${s.host.kernel}` : (engine?.operating_system ?? 'Unknown'),
      status: null,
      code: null,
      detail: engine ? `Engine reports: ${engine.operating_system}${engine.platform ? ` (${engine.platform})` : ''}` : null,
    },
    factOf(report, 'data_root_encryption'),
    factOf(report, 'disk_encryption'),
    factOf(report, 'user_privileges'),
    {
      label: 'Endpoint',
      value: s.endpoint.host,
      status: null,
      code: null,
      detail: [s.endpoint.local ? 'local' : 'remote', s.endpoint.tls ? 'TLS' : null, sourceWords(s.endpoint.source)]
        .filter(Boolean)
        .join(' · '),
    },
  ];
  return facts;
}

function sourceWords(source: Report['subject']['endpoint']['source']): string {
  switch (source.kind) {
    case 'docker_host':
      return 'from DOCKER_HOST';
    case 'context':
      return `Docker context ${'name' in source ? source.name : ''}`.trim();
    case 'flag':
      return 'from --host';
    case 'discovered':
      return `found: ${'engine' in source ? source.engine : 'engine'}'s socket`;
    default:
      return 'default socket';
  }
}

/** Failing checks per severity, most severe first, zero counts included. */
export function severityCounts(report: Report): { severity: Severity; n: number }[] {
  const order: Severity[] = ['critical', 'high', 'medium', 'low'];
  return order.map((severity) => ({ severity, n: report.counts.failing_by_severity[severity] ?? 0 }));
}

/** Checks per status. */
export function statusCount(report: Report, status: Status): number {
  return report.counts.by_status[status] ?? 0;
}
