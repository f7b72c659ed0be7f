// The types the UI renders, generated from the Rust types (never hand-copied): the engine's report
// model (`bindings/report.ts`, crates/engine test `generated`) and the app's IPC types
// (`bindings/app.ts`, src-tauri test `bindings`). See docs/desktop-ipc.md.

export type * from './bindings/report';
export type * from './bindings/app';
