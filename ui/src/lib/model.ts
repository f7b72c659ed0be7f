// The types the UI renders: the engine's report model and the app's IPC types.
//
// INTERIM: until the generated bindings land (`ui/src/lib/bindings/report.ts` from the engine,
// `ui/src/lib/bindings/app.ts` from src-tauri — see docs/desktop-ipc.md), this file mirrors the Rust
// types of crates/engine/src/{report,outcome,inventory,plan,posture}.rs and src-tauri/src/{state,error}.rs.
// When they land it becomes `export type * from './bindings/report'` + `'./bindings/app'` and nothing
// else in ui/ changes. Fields that serde skips when empty are optional here, so code reads them with
// `?.` / `??`, which also works when the generated type says `T | null`.

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Status = 'pass' | 'fail' | 'warn' | 'info' | 'not_applicable' | 'unknown';
export type Category =
  | 'host' | 'desktop' | 'versions' | 'daemon' | 'containers' | 'images' | 'network' | 'secrets' | 'policy';
export type TargetKind = 'host' | 'engine' | 'container' | 'image' | 'network' | 'client' | 'waiver';
export type SnippetKind = 'docker_run' | 'compose' | 'daemon_json' | 'shell' | 'dockerfile' | 'json';
export type Grade = 'A' | 'B' | 'C' | 'D' | 'F' | 'N/A';
export type Posture = 'good' | 'attention' | 'critical';

export type Target = { kind: TargetKind; name: string; id?: string | null };
export type Evidence = { field: string; observed: string; expected: string };
export type Snippet = { kind: SnippetKind; label: string; code: string };
export type AppliedWaiver = { reason: string; expires?: string | null };
export type Finding = {
  target: Target;
  status: Status;
  message: string;
  reason?: string | null;
  evidence?: Array<Evidence>;
  remediation?: Array<Snippet>;
  waived?: AppliedWaiver | null;
};
export type Counts = {
  by_status: { [key in Status]?: number };
  failing_by_severity: { [key in Severity]?: number };
  waived: number;
};
export type CheckResult = {
  id: string;
  slug: string;
  title: string;
  category: Category;
  severity: Severity;
  status: Status;
  summary: string;
  rationale?: string;
  remediation?: string;
  references: Array<string>;
  doc_url?: string | null;
  findings: Array<Finding>;
  score_if_fixed?: number | null;
};
export type CategoryScore = { category: Category; title: string; score: number | null; grade: Grade; counts: Counts };
export type ToolInfo = { name: string; version: string; catalogue_version: string };
export type EndpointSource =
  | { kind: 'docker_host' }
  | { kind: 'context'; name: string }
  | { kind: 'flag' }
  | { kind: 'default' };
export type Endpoint = { host: string; source: EndpointSource; local: boolean; tls: boolean };
export type EngineIdentity = {
  version: string;
  api_version: string;
  platform?: string | null;
  operating_system: string;
  name: string;
};
export type HostIdentity = { hostname: string; os: string; kernel: string };
export type Subject = {
  collected_at: string;
  endpoint: Endpoint;
  engine?: EngineIdentity | null;
  engine_unavailable?: string | null;
  host?: HostIdentity | null;
  containers: number;
  images: number;
  networks: number;
};
export type WaiverUse = {
  check: string;
  target: string;
  reason: string;
  expires?: string | null;
  matched: number;
  expired: boolean;
  evaluated?: boolean;
};
export type FailingCheck = { code: string; severity: Severity; title: string; status: Status };
export type PublishedPort = {
  host_ip: string;
  host_port: string;
  container_port: string;
  protocol: string;
  all_interfaces: boolean;
};
export type ContainerSummary = {
  id: string;
  name: string;
  image: string;
  state: string;
  compose_project?: string | null;
  compose_service?: string | null;
  network_mode: string;
  networks: Array<string>;
  ports: Array<PublishedPort>;
  privileged: boolean;
  score: number | null;
  grade: Grade;
  failing: Array<FailingCheck>;
};
export type NetworkSummary = {
  id: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  default_bridge: boolean;
  icc?: boolean | null;
  containers: Array<string>;
};
export type Inventory = { containers: Array<ContainerSummary>; networks: Array<NetworkSummary> };
export type DaemonJsonChange = { check: string; key: string; current?: string | null; proposed: string };
export type DaemonJsonPlan = {
  path: string;
  exists: boolean;
  current?: string | null;
  proposed: string;
  changes: Array<DaemonJsonChange>;
  warnings?: Array<string>;
};
export type Report = {
  schema_version: number;
  tool: ToolInfo;
  generated_at: string;
  subject: Subject;
  score: number | null;
  grade: Grade;
  grade_cap?: string | null;
  categories: Array<CategoryScore>;
  counts: Counts;
  checks: Array<CheckResult>;
  waivers?: Array<WaiverUse>;
  inventory?: Inventory;
  daemon_json_plan?: DaemonJsonPlan | null;
  notes?: Array<string>;
};

// ---- app.ts (src-tauri/src/state.rs, error.rs) ----
export type EngineState = 'connected' | 'connecting' | 'unreachable';
export type EngineStatus = {
  state: EngineState;
  endpoint: string;
  message: string | null;
  hint: string | null;
  next_retry_secs: number | null;
};
export type Settings = { rescan_interval_secs: number; notifications: boolean; start_at_login: boolean };
export type ScanStage = 'connecting' | 'engine' | 'containers' | 'images' | 'host' | 'evaluating';
export type ScanProgress = { stage: ScanStage; done: number; total: number };
export type TrayState = 'good' | 'attention' | 'critical' | 'unknown' | 'scanning';
export type AppState = {
  report: Report | null;
  engine: EngineStatus;
  scanning: boolean;
  progress: ScanProgress | null;
  paused: boolean;
  settings: Settings;
  tray: TrayState;
};
export type ErrorCode =
  | 'engine_unreachable' | 'scan_failed' | 'export_failed' | 'invalid_argument' | 'cancelled' | 'internal';
export type CommandError = { code: ErrorCode; message: string };
export type ExportFormat = 'json' | 'sarif' | 'html' | 'markdown' | 'pdf';
export type ExportResult = { path: string; format: ExportFormat; bytes: number };
