//! Use cases: each is one whole job a user asks for, from the store to a
//! result, shared by every front end (the CLI, the server, the Python
//! package) so that a figure has one code path. Front ends only turn flags
//! or requests into a call and print the result.

mod query;

pub use query::*;
