//! A fake Didit server for tests and demos.
#![deny(missing_docs)]
