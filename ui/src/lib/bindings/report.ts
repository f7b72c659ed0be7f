// Generated from the Rust types of crates/engine by `zerodock_engine::generated::report_typescript`.
// Do not edit: `ZERODOCK_BLESS=1 cargo test -p zerodock-engine --test generated` rewrites it.

export type Report = { 
/**
 * Format version, see [`REPORT_SCHEMA_VERSION`].
 */
schema_version: number, 
/**
 * The tool and catalogue that produced it.
 */
tool: ToolInfo, 
/**
 * When it was evaluated.
 */
generated_at: string, 
/**
 * What was scanned.
 */
subject: Subject, 
/**
 * Overall score 0–100 over applicable checks; `None` when nothing could be scored.
 */
score: number | null, 
/**
 * Overall letter grade.
 */
grade: Grade, 
/**
 * Why the grade was capped below what the score alone would give, if it was.
 */
grade_cap?: string | null, 
/**
 * Score and grade per category, in checklist order.
 */
categories: Array<CategoryScore>, 
/**
 * Counts over all checks.
 */
counts: Counts, 
/**
 * Every check's result, sorted by code.
 */
checks: Array<CheckResult>, 
/**
 * The waivers that were given and what became of them.
 */
waivers?: Array<WaiverUse>, 
/**
 * Every container and network, each container with its own score.
 */
inventory: Inventory, 
/**
 * Every recommended `daemon.json` change merged into the current file, when any.
 */
daemon_json_plan?: DaemonJsonPlan | null, 
/**
 * Checks to act on, in the order every output lists them ([`Report::problem_checks`]).
 */
risks?: Array<Risk>, 
/**
 * The overall score if every failing or warning check of one severity were fixed (the
 * others as they are), for each severity that has such a check: when other criticals hold
 * the cap, fixing one critical gains nothing and fixing them all is what counts.
 */
score_if_fixed_by_severity?: { [key in Severity]?: number }, 
/**
 * The checks' verdicts that describe the engine and host (version currency, encryption,
 * privileges), for an identity card.
 */
identity?: Array<IdentityFact>, 
/**
 * Things that happened during collection (objects removed mid-scan…).
 */
notes?: Array<string>, 
/**
 * What the images in use contain and their known vulnerabilities, when the scan read them
 * (`--vulns`); the `vulnerabilities` checks judge it, the Vulnerabilities view and the
 * reports' per-image tables show it.
 */
vulnerabilities?: VulnScan | null, };

export type ToolInfo = { 
/**
 * `zerodock`.
 */
name: string, 
/**
 * The tool's version.
 */
version: string, 
/**
 * [`crate::checks::CATALOGUE_VERSION`].
 */
catalogue_version: string, };

export type Subject = { 
/**
 * When the snapshot was collected.
 */
collected_at: string, 
/**
 * The Docker endpoint.
 */
endpoint: Endpoint, 
/**
 * Engine identity, when it answered.
 */
engine?: EngineIdentity | null, 
/**
 * Why the engine could not be inspected, when it could not.
 */
engine_unavailable?: string | null, 
/**
 * Host identity, when it could be read.
 */
host?: HostIdentity | null, 
/**
 * Number of containers (all states), images and networks inspected.
 */
containers: number, 
/**
 * Number of images inspected.
 */
images: number, 
/**
 * Number of networks inspected.
 */
networks: number, };

export type Endpoint = { 
/**
 * `unix:///var/run/docker.sock`, `tcp://host:2376`, …
 */
host: string, 
/**
 * How the endpoint was chosen (the `docker` CLI's precedence).
 */
source: EndpointSource, 
/**
 * Whether the engine runs on this machine (unix socket or loopback), so host facts apply to it.
 */
local: boolean, 
/**
 * Whether TLS is used to talk to it (tcp endpoints only).
 */
tls: boolean, };

export type EndpointSource = { "kind": "flag" } | { "kind": "docker_host" } | { "kind": "context", 
/**
 * The context's name.
 */
name: string, } | { "kind": "default" } | { "kind": "discovered", 
/**
 * What listens there, as found: `rootless dockerd`, `rootless Podman`, `Podman`.
 */
engine: string, };

export type EngineIdentity = { 
/**
 * Which engine answered: `Docker Engine`, `Docker Desktop` or `Podman` (from `/version`
 * `Components`/`Platform`); empty in reports older than it, which were all Docker.
 */
product: string, 
/**
 * Whether it runs rootless (`/info` `SecurityOptions` `name=rootless`, or Podman's
 * `Rootless`): container root is an ordinary user on the host.
 */
rootless: boolean, 
/**
 * Engine version.
 */
version: string, 
/**
 * Engine API version.
 */
api_version: string, 
/**
 * `Platform.Name`, when set.
 */
platform?: string | null, 
/**
 * `OperatingSystem` from `/info`.
 */
operating_system: string, 
/**
 * The engine host's name.
 */
name: string, };

export type HostIdentity = { 
/**
 * Host name.
 */
hostname: string, 
/**
 * OS name and version.
 */
os: string, 
/**
 * Kernel version.
 */
kernel: string, };

export type Grade = "A" | "B" | "C" | "D" | "F" | "N/A";

export type CategoryScore = { 
/**
 * The category.
 */
category: Category, 
/**
 * Its heading.
 */
title: string, 
/**
 * 0–100 over its applicable checks; `None` when none applied.
 */
score: number | null, 
/**
 * Letter grade.
 */
grade: Grade, 
/**
 * Counts over its checks.
 */
counts: Counts, };

export type Category = "host" | "desktop" | "versions" | "daemon" | "containers" | "images" | "network" | "secrets" | "vulnerabilities" | "policy";

export type Counts = { 
/**
 * Checks by aggregated status.
 */
by_status: { [key in Status]?: number }, 
/**
 * Failing checks (not wholly waived) by severity.
 */
failing_by_severity: { [key in Severity]?: number }, 
/**
 * Findings accepted by a waiver.
 */
waived: number, };

export type Severity = "info" | "low" | "medium" | "high" | "critical";

export type Status = "pass" | "fail" | "warn" | "info" | "not_applicable" | "unknown" | "manual";

export type CheckResult = { 
/**
 * Stable code, e.g. `CTR001`.
 */
id: string, 
/**
 * Name stating the risk, e.g. `privileged-container`.
 */
slug: string, 
/**
 * Title.
 */
title: string, 
/**
 * Area.
 */
category: Category, 
/**
 * Effective severity (the catalogue's unless the policy overrides it).
 */
severity: Severity, 
/**
 * Aggregated status: the worst of its findings (waived findings count as passes here).
 */
status: Status, 
/**
 * One-paragraph summary from the catalogue.
 */
summary: string, 
/**
 * Why it matters: the catalogue's `## Rationale` (Markdown).
 */
rationale?: string, 
/**
 * How to fix it in general: the catalogue's `## Remediation` (Markdown). The tailored commands
 * are on each finding.
 */
remediation?: string, 
/**
 * References (CIS, NIST, seed sections, docs).
 */
references: Array<string>, 
/**
 * The first documentation link among the references, for a "docs" button.
 */
doc_url?: string | null, 
/**
 * One finding per target, sorted by target.
 */
findings: Array<Finding>, 
/**
 * The overall score if every failing or warning finding of this check were fixed.
 */
score_if_fixed?: number | null, };

export type Finding = { 
/**
 * The object.
 */
target: Target, 
/**
 * The verdict.
 */
status: Status, 
/**
 * A short observation ("Container `db` runs privileged").
 */
message: string, 
/**
 * Why the evidence is missing (unknown) or why the check does not apply.
 */
reason?: string | null, 
/**
 * The fields and values that decided it.
 */
evidence?: Array<Evidence>, 
/**
 * Fixes for this target.
 */
remediation?: Array<Snippet>, 
/**
 * Set when a waiver accepted this failure.
 */
waived?: AppliedWaiver | null, };

export type Target = { 
/**
 * What kind of object.
 */
kind: TargetKind, 
/**
 * Its name (container name, image tag, host name, file path).
 */
name: string, 
/**
 * Its id, when it has one (container or image id).
 */
id?: string | null, };

export type TargetKind = "host" | "engine" | "container" | "image" | "network" | "client" | "waiver";

export type Evidence = { 
/**
 * Where the value was read: an Engine API field (`HostConfig.Privileged`), a file key
 * (`/etc/docker/daemon.json: icc`), a sysfs path…
 */
field: string, 
/**
 * The value observed.
 */
observed: string, 
/**
 * What the check expects.
 */
expected: string, };

export type Snippet = { 
/**
 * What it is.
 */
kind: SnippetKind, 
/**
 * One line saying what it does.
 */
label: string, 
/**
 * The text to copy.
 */
code: string, 
/**
 * The file and line it changes, when the snippet edits a file ZeroDock located (a Compose
 * service's key in the project's Compose file).
 */
location?: FileLocation | null, };

export type FileLocation = { 
/**
 * The file, as an absolute path on the scanned machine.
 */
path: string, 
/**
 * The 1-based line of the key to change (or of the service, when that key is not written
 * yet); `None` when the file could not be read here — a line is never guessed.
 */
line?: number | null, 
/**
 * What that line holds ("`privileged` of service `web`"), or why the line is unknown.
 */
note: string, };

export type SnippetKind = "docker_run" | "compose" | "daemon_json" | "shell" | "dockerfile" | "json";

export type AppliedWaiver = { 
/**
 * Why the risk is accepted.
 */
reason: string, 
/**
 * Until when (`YYYY-MM-DD`), if it expires.
 */
expires?: string | null, };

export type WaiverUse = { 
/**
 * The check it names.
 */
check: string, 
/**
 * The target pattern it names (`*` for all).
 */
target: string, 
/**
 * The reason given.
 */
reason: string, 
/**
 * Its expiry date, if any.
 */
expires?: string | null, 
/**
 * How many findings it accepted.
 */
matched: number, 
/**
 * Whether it has expired (and so no longer applies).
 */
expired: boolean, 
/**
 * Whether its check ran in this scan (`--only` may leave it out): a waiver for a check that
 * did not run is neither used nor stale. Reports written before this field read as `true`.
 */
evaluated?: boolean, };

export type Inventory = { 
/**
 * Every container, in every state, sorted by name.
 */
containers: Array<ContainerSummary>, 
/**
 * Every network, sorted by name.
 */
networks: Array<NetworkSummary>, };

export type ContainerSummary = { 
/**
 * Short id (12 hex), as findings name it.
 */
id: string, 
/**
 * Name without the leading `/`.
 */
name: string, 
/**
 * The image reference it was created from.
 */
image: string, 
/**
 * `created`, `running`, `paused`, `restarting`, `exited`, `dead`.
 */
state: string, 
/**
 * Compose project, when Compose created it.
 */
compose_project?: string | null, 
/**
 * Compose service, when Compose created it.
 */
compose_service?: string | null, 
/**
 * The Compose files that define it (label `com.docker.compose.project.config_files`), when
 * Compose created it: where its fixes belong.
 */
compose_files?: Array<string>, 
/**
 * `HostConfig.NetworkMode` (`bridge`, `host`, `none`, `container:…`, a network name).
 */
network_mode: string, 
/**
 * Networks it is attached to, by name.
 */
networks: Array<string>, 
/**
 * Ports published on the host (live bindings when running, configured ones otherwise).
 */
ports: Array<PublishedPort>, 
/**
 * Whether it runs (or would run) privileged.
 */
privileged: boolean, 
/**
 * Its own score over the checks that judged it; `None` when none did.
 */
score: number | null, 
/**
 * Its own grade.
 */
grade: Grade, 
/**
 * Checks failing on it (not waived), most severe first.
 */
failing: Array<FailingCheck>, };

export type FailingCheck = { 
/**
 * Check code.
 */
code: string, 
/**
 * Effective severity.
 */
severity: Severity, 
/**
 * Check title.
 */
title: string, 
/**
 * `fail` or `warn`.
 */
status: Status, };

export type PublishedPort = { 
/**
 * Host address (`0.0.0.0`, `127.0.0.1`, `::`; empty means every interface).
 */
host_ip: string, 
/**
 * Host port (empty means an ephemeral port chosen at start).
 */
host_port: string, 
/**
 * Container port, e.g. `80`.
 */
container_port: string, 
/**
 * `tcp`, `udp` or `sctp`.
 */
protocol: string, 
/**
 * Reachable on every interface of the host.
 */
all_interfaces: boolean, };

export type NetworkSummary = { 
/**
 * Short id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Driver (`bridge`, `overlay`, `host`, `null`, …).
 */
driver: string, 
/**
 * `local` or `swarm`.
 */
scope: string, 
/**
 * No route outside (`--internal`).
 */
internal: boolean, 
/**
 * Docker's default bridge, where every container reaches every other one.
 */
default_bridge: boolean, 
/**
 * Inter-container communication on this bridge, when the driver says.
 */
icc?: boolean | null, 
/**
 * Names of the containers attached to it, sorted.
 */
containers: Array<string>, };

export type DaemonJsonPlan = { 
/**
 * The file dockerd reads (`--config-file`, else the platform default).
 */
path: string, 
/**
 * Whether the file exists today.
 */
exists: boolean, 
/**
 * Its current content, pretty-printed (`{}` when absent); `None` when it could not be read.
 */
current?: string | null, 
/**
 * The proposed content: the current settings with every change below applied.
 */
proposed: string, 
/**
 * Each change, with the check that asks for it.
 */
changes: Array<DaemonJsonChange>, 
/**
 * What to watch out for before replacing the file (unreadable file, redacted values).
 */
warnings?: Array<string>, 
/**
 * Values of the proposed file that are examples the user must replace before applying it
 * (a syslog server's address): the file view marks them, and the plan names their keys.
 */
placeholders?: Array<DaemonJsonPlaceholder>, };

export type DaemonJsonChange = { 
/**
 * The check asking for it.
 */
check: string, 
/**
 * The key, dotted for nested objects (`log-opts.max-size`).
 */
key: string, 
/**
 * The value today (JSON), `None` when unset.
 */
current?: string | null, 
/**
 * The recommended value (JSON).
 */
proposed: string, };

export type DaemonJsonPlaceholder = { 
/**
 * The key, dotted for nested objects (`log-opts.syslog-address`).
 */
key: string, 
/**
 * The example value written in its place (`tcp+tls://logs.example.internal:6514`).
 */
value: string, };

export type Posture = "good" | "attention" | "critical";

export type NewFailure = { 
/**
 * Check code.
 */
check: string, 
/**
 * Check title.
 */
title: string, 
/**
 * Effective severity.
 */
severity: Severity, 
/**
 * The object.
 */
target: Target, 
/**
 * The finding's message ("Container `web` mounts the Docker socket").
 */
message: string, };

export type Risk = { 
/**
 * The check's code.
 */
check: string, 
/**
 * Its (possibly overridden) severity.
 */
severity: Severity, 
/**
 * Its status: fail, warn or unknown.
 */
status: Status, 
/**
 * Findings that fail or warn and nobody accepted.
 */
failing: number, 
/**
 * Points the overall score gains if every failing target is fixed, when scored.
 */
gain?: number | null, 
/**
 * The cap that would still hold the overall score if this check alone were fixed (another
 * check of the cap's severity still fails), when one would: why `gain` can be 0 for a
 * critical. `Report::score_if_fixed_by_severity` says what fixing all of them gives.
 */
capped?: ScoreCap | null, };

export type ScoreCap = { 
/**
 * Critical (capped at 69) or high (capped at 89).
 */
severity: Severity, 
/**
 * The highest score allowed while any check of that severity fails.
 */
score: number, };

export type IdentityFact = { 
/**
 * What it describes.
 */
aspect: IdentityAspect, 
/**
 * The check that judged it.
 */
check: string, 
/**
 * Its verdict.
 */
status: Status, 
/**
 * The finding's message, or why it could not be judged.
 */
summary: string, };

export type IdentityAspect = "engine_version" | "data_root_encryption" | "disk_encryption" | "user_privileges";

export type VulnScan = { 
/**
 * The local OSV database the images were matched against; `None` when there is none
 * (results then come only from imported scanner output, if any).
 */
database: VulnDatabase | null, 
/**
 * One entry per image in use, in the order of the snapshot's images.
 */
images: Array<ImageVulns>, };

export type VulnDatabase = { 
/**
 * When the newest import or update finished (UTC).
 */
updated_at: string, 
/**
 * The newest `modified` date of any record in it: the data is as fresh as this.
 */
newest_record: string | null, 
/**
 * Per ecosystem (`Debian`, `Alpine`, `Ubuntu`…): how many records it holds and where they came from.
 */
sources: Array<VulnSource>, };

export type VulnSource = { 
/**
 * OSV ecosystem name without a release (`Debian`, `Alpine`, `Ubuntu`).
 */
ecosystem: string, 
/**
 * Records imported (withdrawn ones are not counted: they are skipped).
 */
records: number, 
/**
 * The file or URL it was imported from.
 */
origin: string, 
/**
 * When it was imported (UTC).
 */
imported_at: string, };

export type ImageVulns = { 
/**
 * The image id (`sha256:…`).
 */
image_id: string, 
/**
 * A readable name (first tag, else digest, else short id).
 */
image: string, 
/**
 * The base operating system from `/etc/os-release`, when the image has one.
 */
os: BaseOs | null, 
/**
 * Why the contents could not be read (export failed, unsupported format), if they could not.
 */
unreadable: string | null, 
/**
 * Installed packages, as the image's package database lists them.
 */
packages: Array<Package>, 
/**
 * Known vulnerabilities of those packages (or imported from another scanner).
 */
vulnerabilities: Array<Vulnerability>, 
/**
 * Who found them: `zerodock` for our own matching, else the imported scanner's name and version.
 */
scanners: Array<string>, 
/**
 * Ecosystems present in the image for which the database holds no records: matching them
 * would be a guess, so their packages' status is unknown.
 */
unmatched_ecosystems: Array<string>, 
/**
 * Regular files with the setuid or setgid bit in the image's final filesystem (CIS 4.8).
 * `None` when this read did not look (an older cache entry or snapshot, an imported scan).
 */
setid_files?: Array<SetidFile> | null, };

export type BaseOs = { 
/**
 * `ID` (`debian`, `ubuntu`, `alpine`…).
 */
id: string, 
/**
 * `VERSION_ID` (`12`, `22.04`, `3.19.1`).
 */
version_id: string, 
/**
 * `PRETTY_NAME`.
 */
pretty_name: string, 
/**
 * The OSV ecosystem its packages belong to (`Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`),
 * when ZeroDock knows it.
 */
ecosystem: string | null, 
/**
 * End of security support (including LTS where the distribution runs one), when known;
 * `None` means unknown, never "supported".
 */
end_of_life: string | null, 
/**
 * How exact [`BaseOs::end_of_life`] is and where it comes from ("Debian LTS announcement";
 * "no later than: older than every Alpine release ZeroDock knows").
 */
end_of_life_source: string | null, };

export type SetidFile = { 
/**
 * Its path in the image, without the leading `/`.
 */
path: string, 
/**
 * Its permission bits, octal (`4755`).
 */
mode: string, };

export type Package = { 
/**
 * Binary package name (`libssl3`).
 */
name: string, 
/**
 * Installed version (`3.0.11-1~deb12u2`).
 */
version: string, 
/**
 * Source package name (`openssl`); the binary name when the database gives none.
 */
source_name: string, 
/**
 * Source package version; the binary version when the database gives none.
 */
source_version: string, 
/**
 * OSV ecosystem (`Debian:12`, `Alpine:v3.19`), when known.
 */
ecosystem: string | null, 
/**
 * Package URL (`pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`).
 */
purl: string, 
/**
 * CPU architecture as the package database gives it.
 */
arch: string, 
/**
 * The layer (diff id, `sha256:…`) that added it, when known.
 */
layer: string | null, 
/**
 * Distro package or language package.
 */
kind: PackageKind, };

export type PackageKind = "distro" | "language";

export type Vulnerability = { 
/**
 * The advisory id (`DSA-5532-1`, `DLA-3530-1`, `ALPINE-CVE-2023-5363`, `CVE-2023-5363`).
 */
id: string, 
/**
 * Other ids of the same vulnerability, CVE ids first.
 */
aliases: Array<string>, 
/**
 * The binary package installed (`libssl3`).
 */
package: string, 
/**
 * The source package the record names (`openssl`).
 */
source_package: string, 
/**
 * The installed version the record was matched against (the source version for Debian).
 */
installed: string, 
/**
 * The first version that fixes it; `None` is "no fix yet".
 */
fixed: string | null, 
/**
 * The severity and where it came from.
 */
severity: VulnSeverity, 
/**
 * Where the severity comes from (`CVSS:3.1/AV:N/… (9.8)`, `Debian urgency: high`), or why it
 * is unknown.
 */
severity_source: string, 
/**
 * The record's one-line summary, if it has one.
 */
summary: string | null, 
/**
 * The package URL of the installed package (the SARIF location).
 */
purl: string, 
/**
 * The scanner that reported it (`zerodock`, `trivy 0.50.1`, …).
 */
scanner: string, };

export type VulnSeverity = "unknown" | "low" | "medium" | "high" | "critical";

export type Progress = { 
/**
 * The stage.
 */
stage: Stage, 
/**
 * Objects done in this stage.
 */
done: number, 
/**
 * Objects in this stage (0 when not counted).
 */
total: number, };

export type Stage = "connecting" | "engine" | "containers" | "images" | "host" | "evaluating";
