//! Canonical layout of policy text (being written).
