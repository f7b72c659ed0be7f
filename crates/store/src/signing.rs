//! Signed reports: ed25519 over a DSSE envelope whose in-toto statement names the report digest.
