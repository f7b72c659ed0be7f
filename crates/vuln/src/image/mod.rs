//! An image's `docker save` archive, streamed: layers applied in order honouring whiteouts, keeping only the files that matter.
