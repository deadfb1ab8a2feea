//! Use cases: each is one whole job a user asks for (ingest these files,
//! the area series, the change per period, a corridor, ...), from the store
//! to a result, shared by every front end (the CLI, the server, the Python
//! package) so that a figure has one code path. Front ends only turn flags
//! or requests into a call and print the result.
//!
//! This layer sits on top: it may use any other module; none uses it.

pub mod ingest;
pub mod places;
mod query;

pub use query::*;
