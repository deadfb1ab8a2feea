//! One module per subcommand.
pub mod area;
pub mod audit;
pub mod change;
pub mod check;
pub mod compare;
pub mod corridor;
pub mod export;
pub mod front;
pub mod ingest;
pub mod places;
pub mod serve;
pub mod snapshots;
pub mod sync;
pub mod verify;
