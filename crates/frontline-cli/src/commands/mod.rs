//! One module per subcommand.
pub mod area;
pub mod change;
pub mod front;
pub mod ingest;
pub mod serve;
pub mod snapshots;
