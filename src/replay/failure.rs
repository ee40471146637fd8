//! A line's failure: the error it is answered with, and whether the message is the runner's
//! own (naming the line: `line N: …`) or the provider's.

use crate::engine::EngineError;
use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};

use super::wire_error;

/// A failed line.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: ApiError,
    /// The runner's own message: rendered after `line N: `, in the Tencent form too.
    pub(crate) own_message: bool,
}

impl Failure {
    /// An error whose message is the runner's own.
    pub(crate) fn own(error: ApiError) -> Self {
        Failure {
            error,
            own_message: true,
        }
    }

    /// A parameter the action does not take.
    pub(crate) fn unknown(name: &str) -> Self {
        Failure::own(
            ApiError::new(ErrorCode::InvalidParameter)
                .with_message(format!(
                    "The parameter \"{name}\" is not known for this action."
                ))
                .with_tencent(TencentCode::UnknownParameter),
        )
    }

    /// A required parameter that is absent.
    pub(crate) fn missing(name: &str) -> Self {
        Failure::own(ApiError::missing_parameter(name))
    }

    /// A parameter whose value is refused, and why.
    pub(crate) fn invalid(name: &str, why: &str) -> Self {
        Failure::own(ApiError::invalid_parameter(name).with_message(format!(
            "The specified parameter \"{name}\" is not valid: {why}."
        )))
    }

    /// The same failure with another Tencent code.
    pub(crate) fn with_tencent(mut self, code: TencentCode) -> Self {
        self.error = self.error.with_tencent(code);
        self
    }

    /// An engine error: a refused fixture's message is the runner's own (it names the
    /// line), every other is answered as [`wire_error`] maps it.
    pub(crate) fn engine(e: &EngineError) -> Self {
        Failure {
            error: wire_error(e),
            own_message: matches!(e, EngineError::Fixture(_)),
        }
    }
}

impl From<ApiError> for Failure {
    /// A provider's error, its message kept.
    fn from(error: ApiError) -> Self {
        Failure {
            error,
            own_message: false,
        }
    }
}

impl From<ErrorCode> for Failure {
    fn from(code: ErrorCode) -> Self {
        Failure::from(ApiError::new(code))
    }
}
