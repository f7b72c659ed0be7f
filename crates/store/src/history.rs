//! Scan history: every saved report in an embedded SQLite database, per engine.
