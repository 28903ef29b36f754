//! Bad specs.
