//! Helpers shared by the fuzz targets (and, through `#[path]`, by
//! `tests/properties.rs`).

pub mod vocab;
