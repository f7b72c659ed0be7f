//! Other scanners' output (Trivy JSON, Grype JSON, SARIF from Docker Scout and others) read into the same findings.
