//! The engine's one error type. Every error about input names the file, the
//! feature and what was wrong, and says what to do next where that is not obvious.

use std::path::{Path, PathBuf};

/// Everything the engine can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read at all.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file was read but its content is not what it must be.
    #[error("{}: {}{problem}", path.display(), feature.map(|i| format!("feature #{i}: ")).unwrap_or_default())]
    Input {
        /// The file.
        path: PathBuf,
        /// Zero-based index of the offending feature in the file, if one is to blame.
        feature: Option<usize>,
        /// What was wrong, and what to do about it.
        problem: String,
    },
    /// The snapshot store failed or holds something unexpected.
    #[error("store {}: {problem}", path.display())]
    Store {
        /// The store's file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// A request that cannot be answered as asked: an invalid argument
    /// (a negative radius, an empty mapping, a period too large...).
    #[error("{0}")]
    Request(String),
    /// What was asked for does not exist (a source with no snapshots, a
    /// place or date that is not there).
    #[error("{0}")]
    NotFound(String),
    /// A fault of the engine or of data it derived itself (a stored derived
    /// result that does not match), not of the request.
    #[error("{0}")]
    Internal(String),
}

/// What kind of failure an [`Error`] is, for a caller that maps failures
/// to answers (the HTTP server: 400, 404, 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is wrong as sent: say what to send instead.
    InvalidArgument,
    /// Nothing there.
    NotFound,
    /// Not the caller's fault: a file, the store, or the engine failed.
    Internal,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Request(_) => ErrorKind::InvalidArgument,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Io { .. } | Error::Input { .. } | Error::Store { .. } | Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// An input error about a whole file.
    pub fn file(path: &Path, problem: impl Into<String>) -> Self {
        Self::Input { path: path.to_path_buf(), feature: None, problem: problem.into() }
    }

    /// An input error about one feature of a file.
    pub fn feature(path: &Path, feature: usize, problem: impl Into<String>) -> Self {
        Self::Input { path: path.to_path_buf(), feature: Some(feature), problem: problem.into() }
    }
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
