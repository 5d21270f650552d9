//! Conformance harness for the didit SDK.
