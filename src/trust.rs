//! Signed reports from the CLI: `--sign` on `scan` and `report`, `zerodock verify`, `zerodock key
//! export`. The keys, the envelope and the verdicts are zerodock-store's (`signing`, `secrets`);
//! this module only reads and writes files and maps verdicts to exit codes: 0 valid, 1 invalid
//! (tampered content, bad signature, unknown key), 2 error (malformed envelope, unreadable file,
//! no keyring). docs/signing.md is the user's side.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use zerodock_report::export;
use zerodock_report::signed;
use zerodock_store::secrets::Secrets;
use zerodock_store::signing::{self, Envelope, PublicKey, ReportSigner};

/// Arguments of `zerodock verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The signed JSON report.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Its DSSE envelope (default: FILE.dsse.json beside it).
    #[arg(long, value_name = "F")]
    envelope: Option<PathBuf>,
    /// A trusted public key, PEM as `zerodock key export` prints it (repeatable). Default: this
    /// machine's signing key, from the OS keyring.
    #[arg(long, value_name = "PUBKEY")]
    key: Vec<PathBuf>,
}

/// `zerodock key …`.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Print the report-signing public key (PEM) for an auditor, and its fingerprint on standard
    /// error; the key is created in the OS keyring on first use. The private key never leaves it.
    Export {
        /// Write the PEM to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// A `--sign` request, checked and with its key loaded before any report is written, so a missing
/// JSON output or an unusable keyring fails the command before it writes unsigned files. What is
/// written in which order is `zerodock_report::signed` (shared with the desktop app's export).
pub struct Signing {
    inner: signed::Signing,
}

impl Signing {
    /// Picks the JSON files among `outputs` (`is_json` says which are) and loads the signing key.
    pub fn prepare(outputs: &[PathBuf], is_json: impl Fn(&Path) -> bool) -> Result<Signing> {
        let files: Vec<PathBuf> =
            outputs.iter().filter(|p| p.as_os_str() != "-" && is_json(p)).cloned().collect();
        if files.is_empty() {
            bail!(
                "--sign signs the JSON report file: add `--output report.json` (with --format json, or a .json name)"
            );
        }
        let (secrets, kind) = Secrets::open().context("--sign keeps its key in the OS keyring")?;
        let (signer, created) =
            ReportSigner::load_or_create(&secrets).context("cannot load the report-signing key")?;
        if created {
            note(&format!(
                "created the report-signing key {} in the {kind} keyring; give auditors `zerodock key export`",
                signer.public().fingerprint()
            ));
            if !kind.persistent() {
                note("the keyutils keyring is in memory: this key is lost at reboot (docs/secrets.md)");
            }
        }
        Ok(Signing { inner: signed::Signing::new(files, signer) })
    }

    /// The JSON files that will be signed.
    pub fn files(&self) -> &[PathBuf] {
        self.inner.files()
    }

    /// The shared signed export.
    pub fn inner(&self) -> &signed::Signing {
        &self.inner
    }
}

/// Says on standard error what was signed, with the key and the digest.
pub fn report_signed(signed: &[signed::Signed]) {
    for s in signed {
        note(&format!(
            "signed {} → {} (key {}, report sha256:{})",
            s.json.display(),
            s.envelope.display(),
            s.key_fingerprint,
            s.report_sha256
        ));
    }
}

/// `zerodock verify FILE [--envelope F] [--key PUBKEY]…`.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let report = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let envelope_path = args.envelope.clone().unwrap_or_else(|| signing::envelope_path(&args.file));
    let envelope_bytes = std::fs::read(&envelope_path).with_context(|| {
        format!("cannot read the envelope {} (pass --envelope if it is elsewhere)", envelope_path.display())
    })?;
    let envelope =
        Envelope::from_json(&envelope_bytes).with_context(|| format!("in {}", envelope_path.display()))?;
    let trusted = trusted_keys(&args.key)?;
    match signing::verify(&envelope, &report, &trusted) {
        Ok(ok) => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "valid: {}", args.file.display())?;
            writeln!(out, "  signed by key {}", ok.key_fingerprint)?;
            writeln!(out, "  report sha256:{}", ok.report_sha256)?;
            if ok.subject_name != file_name(&args.file) {
                writeln!(out, "  signed as {} (renamed since)", ok.subject_name)?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_invalid() => {
            writeln!(std::io::stdout(), "invalid: {}: {e}", args.file.display())?;
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("in {}", envelope_path.display()))),
    }
}

/// The keys `verify` trusts: the `--key` files, else the local signing key (none yet: nothing is
/// trusted, and the verdict says "unknown key").
fn trusted_keys(files: &[PathBuf]) -> Result<Vec<PublicKey>> {
    if !files.is_empty() {
        return files
            .iter()
            .map(|f| {
                let text =
                    std::fs::read_to_string(f).with_context(|| format!("cannot read key {}", f.display()))?;
                PublicKey::from_pem(&text).with_context(|| format!("in {}", f.display()))
            })
            .collect();
    }
    let (secrets, _) = Secrets::open().context("no --key given and the OS keyring cannot be opened")?;
    Ok(signing::local_public_key(&secrets)
        .context("cannot read the local signing key")?
        .into_iter()
        .collect())
}

/// `zerodock key …`.
pub fn key(command: &KeyCommand) -> Result<ExitCode> {
    match command {
        KeyCommand::Export { output } => {
            let (secrets, kind) = Secrets::open()?;
            let (signer, created) = ReportSigner::load_or_create(&secrets)?;
            let public = signer.public();
            let pem = public.to_pem();
            match output {
                Some(path) => export::write_atomic(path, pem.as_bytes())?,
                None => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(pem.as_bytes())?;
                    out.flush()?;
                }
            }
            let state = if created { "created now" } else { "existing" };
            note(&format!("key fingerprint {} ({state}, {kind} keyring)", public.fingerprint()));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "zerodock: {message}");
}
