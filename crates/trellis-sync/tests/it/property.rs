//! Random spec edits and random person edits, in sequence, never lose a byte a person wrote.
