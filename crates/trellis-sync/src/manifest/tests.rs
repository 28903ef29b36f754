//! Tests of the key-by-key merge.
