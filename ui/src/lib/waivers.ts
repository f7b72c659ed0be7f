// Accepted risks in the UI: what *Accept risk…* starts from, what it sends (`waive`), and what
// became of each waiver of the policy file (the report's `waivers`: matched, expired). The tray
// writes the file (the CLI's code); nothing here edits TOML.

import type { CheckResult, Finding, PolicyState, PolicyWaiver, Report, WaiverInput } from './model';

/** The Accept-risk dialog's fields. `target` is the object it was opened on (`null`: opened for
 * the whole check); `scope` says whether the waiver names it or covers every object. */
export type WaiverDraft = {
  check: string;
  title: string;
  target: string | null;
  scope: 'object' | 'all';
  reason: string;
  by: string;
  expires: string;
  /** Editing an existing waiver (its check and target are fixed). */
  editing: boolean;
};

/** What became of a waiver in the latest report. */
export type WaiverFate = 'active' | 'expired' | 'unused' | 'not-evaluated' | 'pending';

/** Today as the scans judge expiry: the UTC date, `YYYY-MM-DD`. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The waiver of `policy` for `check` and `target` (`*` for every object), if any. */
export function findWaiver(policy: PolicyState | undefined, check: string, target: string): PolicyWaiver | undefined {
  return policy?.waivers.find((w) => w.check === check && w.target === target);
}

/** The waiver that covers `finding` of `check`: the one naming it, else the one for every object. */
export function waiverOf(policy: PolicyState | undefined, check: string, finding: Finding): PolicyWaiver | undefined {
  return findWaiver(policy, check, finding.target.name) ?? findWaiver(policy, check, '*');
}

/** A new draft for `check`, on `finding` (scope: that object) or for every object. */
export function newDraft(check: CheckResult, finding: Finding | null, policy: PolicyState | undefined): WaiverDraft {
  return {
    check: check.id,
    title: check.title,
    target: finding?.target.name ?? null,
    scope: finding ? 'object' : 'all',
    reason: '',
    by: policy?.default_by ?? '',
    expires: '',
    editing: false,
  };
}

/** A draft that edits `waiver` (reason, who, expiry; the check and target stay). */
export function editDraft(waiver: PolicyWaiver, title: string): WaiverDraft {
  return {
    check: waiver.check,
    title,
    target: waiver.target === '*' ? null : waiver.target,
    scope: waiver.target === '*' ? 'all' : 'object',
    reason: waiver.reason,
    by: waiver.by ?? '',
    expires: waiver.expires ?? '',
    editing: true,
  };
}

/** Why the draft cannot be sent yet, or `null`. The tray checks again (and the CLI's rules). */
export function draftProblem(draft: WaiverDraft, today: string = todayUtc()): string | null {
  if (!draft.reason.trim()) return 'Say why the risk is accepted: the reason is required.';
  if (draft.expires && !/^\d{4}-\d{2}-\d{2}$/.test(draft.expires)) return 'The expiry must be a date (YYYY-MM-DD).';
  if (draft.expires && draft.expires < today) return `The expiry ${draft.expires} is in the past: the waiver would never apply.`;
  return null;
}

/** What `waive` sends for `draft`. */
export function toInput(draft: WaiverDraft): WaiverInput {
  return {
    check: draft.check,
    target: draft.scope === 'object' && draft.target ? draft.target : null,
    reason: draft.reason.trim(),
    by: draft.by.trim() || null,
    expires: draft.expires || null,
  };
}

/** What became of `waiver` in `report` (`pending`: the report predates it). */
export function fate(waiver: PolicyWaiver, report: Report | null): WaiverFate {
  const use = report?.waivers?.find((u) => u.check === waiver.check && u.target === waiver.target);
  if (!use) return 'pending';
  if (use.expired) return 'expired';
  if (use.evaluated === false) return 'not-evaluated';
  return use.matched > 0 ? 'active' : 'unused';
}

/** How many findings `waiver` accepted in `report`. */
export function matched(waiver: PolicyWaiver, report: Report | null): number {
  return report?.waivers?.find((u) => u.check === waiver.check && u.target === waiver.target)?.matched ?? 0;
}
