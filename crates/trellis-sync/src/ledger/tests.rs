//! Tests of the ledger format.
