//! The decisions: each command is checked against the state without changing it, and
//! either refused with the first failing rule or turned into the events that carry it out.
//!
//! The check order of `CopyImage` / `SyncImages` is public: it is in the `engine` module
//! docs ("Check order"), and the step numbers in the comments below refer to it.

mod common;
mod copy;
mod create;
mod export;
mod fixtures;

pub(crate) use fixtures::{IdCheck, check_fixture_image, check_fixture_snapshot, fixture};
mod images;
mod import;
mod reports;

use chrono::{DateTime, Utc};

use crate::error::{ApiError, ErrorCode};
use crate::profile::Profile;

use super::command::{ApiCall, Command};
use super::event::Event;
use super::state::{NewCopy, State};
use super::{EngineError, Outcome};
use smallvec::SmallVec;

/// A command's verdict: its answer and the events that carry it out.
pub(crate) struct Decision {
    pub outcome: Outcome,
    /// Accepted copies, carried out before `events`: each becomes a `CopyAccepted` event
    /// when events are logged, and moves into the state as it is when not (no box to make
    /// and unmake, no second look-up of what the check found).
    pub copies: NewCopies,
    pub events: Events,
}

impl Decision {
    pub(super) fn new(outcome: Outcome, events: impl Into<Events>) -> Self {
        Decision {
            outcome,
            copies: NewCopies::new(),
            events: events.into(),
        }
    }
}

/// A decision's accepted copies: one per destination of a `CopyImage`. A `Vec`, not held
/// inline (a copy is large, and a decision is moved on its way out of the checks), made
/// from the service's spare one (see [`decide`]) so a copy allocates none.
pub(crate) type NewCopies = Vec<NewCopy>;

/// A decision's events, in order: most commands make one.
pub(crate) type Events = SmallVec<[Event; 1]>;

/// A decision's one event (nearly every decision has exactly one: held inline, no
/// allocation).
pub(super) fn one(event: Event) -> Events {
    smallvec::smallvec![event]
}

pub(super) type Checked<T> = Result<T, EngineError>;

fn reject(code: ErrorCode) -> EngineError {
    EngineError::Rejected(ApiError::new(code))
}

/// Decides `command` at `now` against `state` (a fixture is decided by [`fixture`], which
/// takes it by value). A decision that accepts copies holds them in `spare`'s allocation,
/// taken (the service hands it back once the copies are carried out).
pub(crate) fn decide(
    state: &State,
    profile: &Profile,
    command: &Command,
    now: DateTime<Utc>,
    spare: &mut NewCopies,
) -> Checked<Decision> {
    match command {
        Command::Fixture(f) => fixture(state, profile, f.clone()),
        Command::Report(r) => reports::report(state, r),
        Command::Call(ApiCall::CreateImage(c)) => create::create_image(state, profile, c, now),
        Command::Call(ApiCall::CopyImage(c)) => copy::copy_image(state, profile, c, now, spare),
        Command::Call(ApiCall::CancelCopyImage(c)) => images::cancel_copy(state, profile, c),
        Command::Call(ApiCall::DeleteImage(c)) => images::delete_image(state, profile, c),
        Command::Call(ApiCall::ModifyImageSharePermission(c)) => {
            images::modify_share(state, profile, c)
        }
        Command::Call(ApiCall::ExportImage(c)) => export::export_image(state, profile, c, now),
        Command::Call(ApiCall::CancelExport(c)) => export::cancel_export(state, profile, c),
        Command::Call(ApiCall::ModifyImageAttribute(c)) => {
            images::modify_attribute(state, profile, c)
        }
        Command::Call(ApiCall::DeleteImages(c)) => images::delete_images(state, profile, c),
        Command::Call(ApiCall::ImportImage(c)) => import::import_image(state, profile, c, now),
    }
}
