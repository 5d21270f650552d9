//! The `didit` command line.

fn main() {}
