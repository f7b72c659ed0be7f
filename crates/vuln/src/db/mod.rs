//! The local vulnerability database: OSV records imported from an ecosystem export (`all.zip`), indexed in SQLite.
