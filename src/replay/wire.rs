//! The one place where errors that are not a customer's refusal become wire errors (see
//! the table in the [module docs](super#errors-that-are-not-the-customers)).

use crate::engine::{EngineError, HostError};
use crate::error::{ApiError, ErrorCode};

/// The provider-shaped error the runner answers for `error`.
///
/// A customer's refusal ([`EngineError::Rejected`]) is its own [`ApiError`]. The engine's
/// other errors are not the customer's doing and carry no provider code; the runner still
/// answers every line with a provider-shaped body, so it maps them here, and only here, as
/// the [module docs](super#errors-that-are-not-the-customers) tabulate. A refused fixture's
/// message is `the fixture is refused: …` (the runner prefixes its line number).
pub fn wire_error(error: &EngineError) -> ApiError {
    match error {
        EngineError::Rejected(e) => e.clone(),
        EngineError::Host(host) => match host {
            HostError::CopyTransition(_) => ApiError::new(ErrorCode::IncorrectImageStatus),
            HostError::UnknownTask(_) => ApiError::invalid_parameter("TaskId"),
            HostError::ProgressOutOfRange { .. }
            | HostError::ProgressWentBack { .. }
            | HostError::ExportProgressOutOfRange { .. }
            | HostError::ExportProgressWentBack { .. } => ApiError::invalid_parameter("Progress"),
            HostError::ExportTransition(_) => {
                ApiError::new(ErrorCode::InvalidTaskIdIncorrectTaskStatus)
            }
            HostError::UnknownExport(_) => ApiError::new(ErrorCode::InvalidTaskIdNotFound),
            // Issue 17's imports: the same rows as the exports'.
            HostError::ImportTransition(_) => {
                ApiError::new(ErrorCode::InvalidTaskIdIncorrectTaskStatus)
            }
            HostError::UnknownImport(_) => ApiError::new(ErrorCode::InvalidTaskIdNotFound),
            HostError::ImportProgressOutOfOrder { .. } => ApiError::invalid_parameter("Progress"),
            HostError::TimeWentBackwards { .. } => ApiError::invalid_parameter("at"),
            // `HostError` is non-exhaustive for users, not within the crate: a new variant
            // must be given its row here.
        },
        EngineError::Fixture(fixture) => ApiError::new(ErrorCode::InvalidParameter)
            .with_message(format!("the fixture is refused: {fixture}")),
        EngineError::Internal(_) => ApiError::new(ErrorCode::InternalError),
    }
}
