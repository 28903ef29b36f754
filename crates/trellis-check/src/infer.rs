//! A spec from a workspace.
