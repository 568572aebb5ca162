//! Deterministic generated policy sets for benches and tests (being written).
