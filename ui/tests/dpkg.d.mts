// Types of tests/dpkg.mjs for the TypeScript unit tests.
import type { VulnScan } from '../src/lib/model';
export function dpkgCompare(a: string, b: string): number;
export const vulnScan: VulnScan;
