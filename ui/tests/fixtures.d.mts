// Types of tests/fixtures.mjs for the TypeScript unit tests.
export const ROOT: string;
export function reportPath(name: string): string;
export function ensureReport(name: string, force?: boolean): unknown;
export function appState(report: unknown, over?: Record<string, unknown>): unknown;
export function ensureWaivedReport(name: string, tag: string, toml: string): unknown;
