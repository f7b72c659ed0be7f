//! Software bills of materials: CycloneDX 1.5 JSON and SPDX 2.3 JSON.
