//! The OSV record format (<https://ossf.github.io/osv-schema/>): what ZeroDock reads of it.
