// Read-only views over a report for the overview and host pages: top risks and the host identity.
// Every value is read from the engine's checks and findings; nothing is judged here.

import type { CheckResult, Finding, Report, Severity, Status } from './model';
import { severityRank } from './format';

/** A failing check as the overview lists it. */
export type Risk = { check: CheckResult; failing: number; gain: number | null };

/** Failing or warning checks (not wholly waived), most severe first, then by what fixing gains. */
export function topRisks(report: Report, limit = 8): Risk[] {
  const now = report.score;
  return report.checks
    .filter((c) => c.status === 'fail' || c.status === 'warn')
    .map((check) => {
      const failing = check.findings.filter((f) => (f.status === 'fail' || f.status === 'warn') && !f.waived).length;
      const gain = check.score_if_fixed != null && now != null ? check.score_if_fixed - now : null;
      return { check, failing, gain };
    })
    .sort(
      (a, b) =>
        (a.check.status === 'fail' ? 0 : 1) - (b.check.status === 'fail' ? 0 : 1) ||
        severityRank(a.check.severity) - severityRank(b.check.severity) ||
        (b.gain ?? 0) - (a.gain ?? 0) ||
        a.check.id.localeCompare(b.check.id),
    )
    .slice(0, limit);
}

/** One fact of the host/engine identity card, taken from a check's finding. */
export type Fact = {
  label: string;
  value: string;
  status: Status | null;
  code: string | null;
  detail: string | null;
};

/** The first finding of a check that is about the engine or host (those checks have one). */
function firstFinding(report: Report, code: string): { check: CheckResult; finding: Finding } | null {
  const check = report.checks.find((c) => c.id === code);
  const finding = check?.findings[0];
  return check && finding ? { check, finding } : null;
}

/** Short verdict words per status, for facts. */
const VERDICT: Record<Status, string> = {
  pass: 'OK',
  fail: 'At risk',
  warn: 'Needs attention',
  unknown: 'Unknown',
  info: 'Noted',
  not_applicable: 'Not applicable',
};

/** A fact from a check: its status, the finding's message (or reason when unknown). */
export function factOf(report: Report, code: string, label: string, value?: string): Fact {
  const hit = firstFinding(report, code);
  if (!hit) return { label, value: value ?? 'Not checked', status: null, code: null, detail: null };
  const { finding } = hit;
  const detail = finding.status === 'unknown' || finding.status === 'not_applicable' ? (finding.reason ?? finding.message) : finding.message;
  return { label, value: value ?? VERDICT[finding.status], status: finding.status, code, detail };
}

/** The identity card of the overview: engine version and currency, OS, encryption, privileges, endpoint. */
export function identity(report: Report): Fact[] {
  const s = report.subject;
  const engine = s.engine;
  const versionValue = engine ? `Docker ${engine.version}` : 'Engine unreachable';
  const facts: Fact[] = [
    factOf(report, 'VER001', 'Docker Engine', versionValue),
    {
      label: 'Operating system',
      value: s.host ? `${s.host.os} · kernel ${s.host.kernel}` : (engine?.operating_system ?? 'Unknown'),
      status: null,
      code: null,
      detail: engine ? `Engine reports: ${engine.operating_system}${engine.platform ? ` (${engine.platform})` : ''}` : null,
    },
    factOf(report, 'HST001', 'Data-root encryption'),
    factOf(report, 'HST002', 'Disk encryption'),
    factOf(report, 'HST003', 'User privileges'),
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
