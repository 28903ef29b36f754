//! Pictures of the crate graph.
