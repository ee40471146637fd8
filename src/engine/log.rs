//! The event log as a host keeps it: numbered records, replayed onto an empty service or a
//! restored snapshot, every record checked.
//!
//! A log is the records a service emitted, in order: record 0 is the head
//! ([`Event::LogOpened`], naming the profile), then 1, 2, 3, … A host that persists the
//! records can rebuild the service from the whole log ([`ImageService::from_events`]) or
//! from a snapshot (the serialised service) and the records after it
//! ([`ImageService::replay`]); either way each record is checked before it applies and the
//! invariants after the last, and a log that can't be trusted is refused with a
//! [`ReplayError`] naming the record. The service being replayed onto is consumed, so a
//! host can't carry on from a log it refused.

use super::ImageService;
use super::event::{Event, EventRecord};
use super::invariants::InvariantViolation;
use super::state::ApplyError;

/// Why a log (or a snapshot's tail) can't be replayed. Each names the record at fault by
/// its sequence number.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Fixture, ImageService, ReplayError};
/// use machine_image::{Account, AccountId, Profile};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut service = ImageService::new(Profile::alibaba());
/// for id in ["1234567890123456", "6543210987654321"] {
///     service.register(t0, Fixture::Account(Account::new(AccountId::new(id)?, 10, 100)))?;
/// }
/// let log = service.drain_events(); // records 0 (the head), 1 and 2
///
/// let lost_one = [log[0].clone(), log[2].clone()];
/// let err = ImageService::from_events(Profile::alibaba(), &lost_one).unwrap_err();
/// assert_eq!(err, ReplayError::Gap { expected: 1, found: 2 });
/// let err = ImageService::from_events(Profile::alibaba(), &log[1..]).unwrap_err();
/// assert_eq!(err, ReplayError::MissingHead { found: 1 });
/// assert!(matches!(
///     ImageService::from_events(Profile::tencent(), &log),
///     Err(ReplayError::ProfileMismatch { seq: 0, .. })
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The log does not start at its head: its first record is not record 0 (a tail given
    /// without the snapshot it follows, or a log whose head was lost).
    #[error("record {found}: the log has no head (record 0 must come first)")]
    MissingHead {
        /// The first record's number.
        found: u64,
    },
    /// Record 0 is not the head (`LogOpened`), or a head appears later in the log.
    #[error("record {seq}: {what}")]
    MisplacedHead {
        /// The record.
        seq: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// The log was written under another profile than the one replaying it.
    #[error("record {seq}: the log was written under another profile ({provider})")]
    ProfileMismatch {
        /// The head's number (0).
        seq: u64,
        /// The provider the log's profile names.
        provider: crate::provider::Provider,
    },
    /// A record is missing: the next record's number is past the one expected.
    #[error("record {found}: records {expected} to {} are missing", found - 1)]
    Gap {
        /// The number expected.
        expected: u64,
        /// The number found.
        found: u64,
    },
    /// A record comes again: its number is below the one expected.
    #[error("record {found}: repeated (record {expected} was expected)")]
    Repeat {
        /// The number expected.
        expected: u64,
        /// The number found.
        found: u64,
    },
    /// A record does not fit the state it is applied to (edited, reordered, or from
    /// another log).
    #[error("record {seq} does not apply: {source}")]
    DoesNotApply {
        /// The record.
        seq: u64,
        /// Why.
        source: ApplyError,
    },
    /// Every record applied, but the result breaks an invariant.
    #[error("after record {seq}: {violation}")]
    Invariant {
        /// The last record applied.
        seq: u64,
        /// The invariant broken.
        violation: InvariantViolation,
    },
}

impl ImageService {
    /// Applies one record of a log, checked: its number is the next expected, a head is
    /// record 0 and names this service's profile, and the event fits the state. On `Err`
    /// nothing changed. Invariants are not checked here (that takes a pass over the whole
    /// state): [`ImageService::replay`] checks them after the last record.
    pub(super) fn apply_record(&mut self, record: &EventRecord) -> Result<(), ReplayError> {
        let (expected, found) = (self.next_seq, record.seq);
        if expected == 0 && found != 0 {
            return Err(ReplayError::MissingHead { found });
        }
        if found > expected {
            return Err(ReplayError::Gap { expected, found });
        }
        if found < expected {
            return Err(ReplayError::Repeat { expected, found });
        }
        match (&record.event, found) {
            (Event::LogOpened { profile }, 0) if **profile != self.profile => {
                return Err(ReplayError::ProfileMismatch {
                    seq: found,
                    provider: profile.provider,
                });
            }
            (Event::LogOpened { .. }, 0) => {}
            (Event::LogOpened { .. }, seq) => {
                return Err(ReplayError::MisplacedHead {
                    seq,
                    what: "a log head (LogOpened) after record 0",
                });
            }
            (_, 0) => {
                return Err(ReplayError::MisplacedHead {
                    seq: 0,
                    what: "record 0 is not the log head (LogOpened)",
                });
            }
            _ => {}
        }
        self.state
            .apply(record)
            .map_err(|source| ReplayError::DoesNotApply { seq: found, source })?;
        self.next_seq += 1;
        Ok(())
    }

    /// Rebuilds a service from a whole log (head first) under `profile`: the service that
    /// wrote the log, with nothing pending. Every record is checked, then the invariants;
    /// see [`ReplayError`] for what is refused.
    pub fn from_events<'e>(
        profile: crate::profile::Profile,
        records: impl IntoIterator<Item = &'e EventRecord>,
    ) -> Result<Self, ReplayError> {
        ImageService::new(profile).replay(records)
    }

    /// Applies the records that follow this service (a restored snapshot, or a service
    /// rebuilt so far) and returns the service that wrote them. The first record must be
    /// [`ImageService::next_seq`]; each is checked before it applies and the invariants
    /// after the last. Replayed records are not queued again as events, and cause no
    /// effects (the host was told when they were first written; see
    /// [`ImageService::resume`]).
    ///
    /// On `Err` the service is gone: a host never carries on from a log it can't trust.
    pub fn replay<'e>(
        mut self,
        records: impl IntoIterator<Item = &'e EventRecord>,
    ) -> Result<Self, ReplayError> {
        let mut applied = false;
        for record in records {
            self.apply_record(record)?;
            applied = true;
        }
        if applied {
            self.check_invariants()
                .map_err(|violation| ReplayError::Invariant {
                    seq: self.next_seq - 1,
                    violation,
                })?;
        }
        Ok(self)
    }
}
