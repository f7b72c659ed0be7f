//! TypeScript for the app's IPC types, written to `ui/src/lib/bindings/app.ts` by the `bindings`
//! test (which fails when the committed file differs; `ZERODOCK_BLESS=1` rewrites it). Engine types
//! (`Report`, `Progress`…) are imported from `./report`, which the engine generates the same way:
//! the app declares no copy of them.

use std::any::TypeId;
use std::collections::BTreeSet;

use ts_rs::{Config, TS};

use crate::error::{CommandError, ErrorCode};
use crate::state::{
    AppState, CategoryChange, CategoryPoint, EngineChoice, EngineList, EngineOrigin, EngineState,
    EngineStatus, ExportFormat, ExportResult, HistoryList, HistoryStatus, NotifySeverity, ScanDiff,
    ScanSummary, ScoreChange, Settings, Theme, TrayState, WaivedFinding,
};
use crate::state::{ExportSignature, KeyringStatus, PolicyState, PolicyWaiver, WaiverChange, WaiverInput};

/// The file, relative to the workspace root.
pub const PATH: &str = "ui/src/lib/bindings/app.ts";

struct Out {
    cfg: Config,
    own: Vec<TypeId>,
    decls: String,
    imports: BTreeSet<String>,
    deps: Vec<ts_rs::Dependency>,
}

impl Out {
    fn add<T: TS + 'static>(&mut self) {
        self.own.push(TypeId::of::<T>());
        if let Some(docs) = T::docs() {
            self.decls.push_str(&docs);
        }
        self.decls.push_str("export ");
        self.decls.push_str(&T::decl(&self.cfg));
        self.decls.push_str("\n\n");
        self.deps.extend(T::dependencies(&self.cfg));
    }
}

/// The whole file.
pub fn render() -> String {
    let mut out = Out {
        cfg: Config::new(),
        own: Vec::new(),
        decls: String::new(),
        imports: BTreeSet::new(),
        deps: Vec::new(),
    };
    out.add::<AppState>();
    out.add::<EngineState>();
    out.add::<EngineStatus>();
    out.add::<Settings>();
    out.add::<NotifySeverity>();
    out.add::<Theme>();
    out.add::<TrayState>();
    out.add::<HistoryStatus>();
    out.add::<HistoryList>();
    out.add::<ScanSummary>();
    out.add::<CategoryPoint>();
    out.add::<ScanDiff>();
    out.add::<ScoreChange>();
    out.add::<CategoryChange>();
    out.add::<WaivedFinding>();
    out.add::<EngineList>();
    out.add::<EngineChoice>();
    out.add::<EngineOrigin>();
    out.add::<ExportFormat>();
    out.add::<ExportResult>();
    out.add::<ExportSignature>();
    out.add::<KeyringStatus>();
    out.add::<PolicyState>();
    out.add::<PolicyWaiver>();
    out.add::<WaiverInput>();
    out.add::<WaiverChange>();
    out.add::<ErrorCode>();
    out.add::<CommandError>();
    for dep in std::mem::take(&mut out.deps) {
        if !out.own.contains(&dep.type_id) {
            out.imports.insert(dep.ts_name);
        }
    }
    let mut text = String::from(
        "// Generated from src-tauri (crate zerodock-desktop) by its `bindings` test: do not edit.\n\
         // Regenerate with `ZERODOCK_BLESS=1 cargo test -p zerodock-desktop --test bindings`.\n",
    );
    if !out.imports.is_empty() {
        let names: Vec<&str> = out.imports.iter().map(String::as_str).collect();
        text.push_str(&format!("import type {{ {} }} from \"./report\";\n", names.join(", ")));
    }
    text.push('\n');
    text.push_str(out.decls.trim_end());
    text.push('\n');
    text
}
