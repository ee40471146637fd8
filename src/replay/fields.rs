//! Reading one line's parameters: presence, JSON types and unknown names, each failure an
//! API error that names the line and the parameter.

use chrono::{DateTime, Utc};

use crate::error::TencentCode;
use crate::error::{ApiError, ErrorCode};

use super::value::{Key, Value};

/// An object's members, in order.
pub(crate) type Members = [(Key, Value)];

/// The parameters of one line, with the names its action accepts.
pub(crate) struct Fields<'a> {
    line: u64,
    pairs: &'a Members,
}

/// `line N: ` before a message of the runner's own.
pub(crate) fn at_line(line: u64, e: ApiError) -> ApiError {
    let message = format!("line {line}: {}", e.message());
    e.with_message(message)
}

impl<'a> Fields<'a> {
    /// Wraps an object's pairs.
    pub(crate) fn new(line: u64, pairs: &'a Members) -> Self {
        Fields { line, pairs }
    }

    /// The line's number.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Refuses any parameter not in `allowed` (nor `at`, `Action`).
    pub(crate) fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (k, _) in self.pairs {
            if k != "at" && k != "Action" && !allowed.contains(&k.as_ref()) {
                return Err(self.unknown(k));
            }
        }
        Ok(())
    }

    fn unknown(&self, name: &str) -> ApiError {
        at_line(
            self.line,
            ApiError::new(ErrorCode::InvalidParameter)
                .with_message(format!(
                    "The parameter \"{name}\" is not known for this action."
                ))
                .with_tencent(TencentCode::UnknownParameter),
        )
    }

    pub(crate) fn missing(&self, name: &str) -> ApiError {
        at_line(self.line, ApiError::missing_parameter(name))
    }

    pub(crate) fn invalid(&self, name: &str, why: &str) -> ApiError {
        at_line(
            self.line,
            ApiError::invalid_parameter(name).with_message(format!(
                "The specified parameter \"{name}\" is not valid: {why}."
            )),
        )
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v, Value::Null))
    }

    fn wrong_type(&self, name: &str, expected: &str, found: &Value) -> ApiError {
        self.invalid(
            name,
            &format!("expected {expected}, found {}", found.type_name()),
        )
    }

    /// An optional string.
    pub(crate) fn str_opt(&self, name: &str) -> Result<Option<&'a str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(name, "a string", other)),
        }
    }

    /// A required string.
    pub(crate) fn str_req(&self, name: &str) -> Result<&'a str, ApiError> {
        self.str_opt(name)?.ok_or_else(|| self.missing(name))
    }

    /// An optional boolean (`true`/`false`, or the strings `"true"`/`"false"` as the
    /// providers' query APIs send them), `default` when absent.
    pub(crate) fn bool_or(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s == "true" => Ok(true),
            Some(Value::String(s)) if s == "false" => Ok(false),
            Some(other) => Err(self.wrong_type(name, "a boolean", other)),
        }
    }

    /// An optional non-negative integer.
    pub(crate) fn u64_opt(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::UInt(n)) => Ok(Some(*n)),
            Some(other) => Err(self.wrong_type(name, "a non-negative integer", other)),
        }
    }

    /// An optional `u32`.
    pub(crate) fn u32_opt(&self, name: &str) -> Result<Option<u32>, ApiError> {
        match self.u64_opt(name)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| self.invalid(name, "too large")),
        }
    }

    /// An optional list of strings (a single string counts as a list of one).
    pub(crate) fn strs_opt(&self, name: &str) -> Result<Option<Vec<&'a str>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.as_str()),
                    other => Err(self.wrong_type(name, "a list of strings", other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.wrong_type(name, "a list of strings", other)),
        }
    }

    /// An optional list of objects.
    pub(crate) fn objects_opt(&self, name: &str) -> Result<Option<Vec<&'a Members>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Object(pairs) => Ok(pairs.as_slice()),
                    other => Err(self.wrong_type(name, "a list of objects", other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.wrong_type(name, "a list of objects", other)),
        }
    }

    /// A required RFC 3339 time.
    pub(crate) fn time_req(&self, name: &str) -> Result<DateTime<Utc>, ApiError> {
        let text = self.str_req(name)?;
        self.parse_time(name, text)
    }

    /// An optional RFC 3339 time.
    pub(crate) fn time_opt(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.str_opt(name)?
            .map(|t| self.parse_time(name, t))
            .transpose()
    }

    fn parse_time(&self, name: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.invalid(name, &format!("not an RFC 3339 time ({e})")))
    }
}
