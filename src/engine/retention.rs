//! How long the engine keeps what is over: finished copy and export tasks and the recorded
//! answers to calls with a client token.
//!
//! Without a limit a long-running service grows with every call it ever took. With a
//! [`Retention`] horizon, each command that changes the state at `now` first
//! records an [`Event::Forgotten`](super::Event::Forgotten) that drops every finished task
//! whose end, and every recorded answer whose call, is at least the horizon before `now`
//! (a command that changes nothing drops nothing: it leaves the state as it was). Dropping is
//! an event, so a replayed log drops exactly the same things at the same records.
//!
//! What a caller sees after the horizon:
//! - a retry with a client token whose answer is at least the horizon old is decided
//!   afresh, as a new call (a copy is made again if the rules still allow it), whether or
//!   not a state change has dropped the old answer yet;
//! - a finished export task is no longer listed by `DescribeTasks`, and `CancelTask` on it
//!   answers `InvalidTaskId.NotFound`;
//! - a host report naming a dropped copy task is refused as naming an unknown task.
//!
//! Images are never dropped by retention: a deleted image is removed at once, a
//! `CreateFailed` copy stays until its owner deletes it, as the providers keep it.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::copy::TaskId;
use crate::export::ExportTaskId;
use crate::id::{AccountId, ClientToken};

/// The retention horizon a host configures (see the [module docs](self)).
///
/// The default is [`Retention::DEFAULT`], 7 days: the providers document no lifetime for a
/// client token or a finished task's record, and 7 days covers any client's retries while
/// keeping a busy service's state bounded.
///
/// ```
/// use chrono::Duration;
/// use machine_image::engine::{ImageService, Retention};
/// use machine_image::Profile;
///
/// assert_eq!(Retention::default(), Retention::DEFAULT);
/// assert_eq!(Retention::DEFAULT.horizon(), Some(Duration::days(7)));
/// let service = ImageService::new(Profile::tencent()).with_retention(Retention::days(30));
/// assert_eq!(service.retention().horizon(), Some(Duration::days(30)));
/// assert_eq!(Retention::FOREVER.horizon(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Retention {
    /// The horizon in seconds; `None` keeps everything forever.
    horizon_seconds: Option<u64>,
}

impl Retention {
    /// 7 days.
    pub const DEFAULT: Retention = Retention::seconds(7 * 24 * 3600);

    /// Keeps everything forever (the state grows with every finished task and token).
    pub const FOREVER: Retention = Retention {
        horizon_seconds: None,
    };

    /// A horizon of `seconds` (0 drops what is over at the next state change).
    ///
    /// ```
    /// use machine_image::engine::Retention;
    /// let r = Retention::seconds(3600);
    /// assert_eq!(r.horizon(), Some(chrono::Duration::hours(1)));
    /// assert_eq!(Retention::FOREVER.horizon(), None);
    /// ```
    pub const fn seconds(seconds: u64) -> Retention {
        Retention {
            horizon_seconds: Some(seconds),
        }
    }

    /// A horizon of `days` days.
    pub const fn days(days: u32) -> Retention {
        Retention::seconds(days as u64 * 24 * 3600)
    }

    /// The horizon, or `None` for forever.
    pub fn horizon(&self) -> Option<Duration> {
        // Beyond chrono's range (about 292 million years) is its longest duration: forever
        // in practice. (`Duration::seconds` would panic there; a deserialised setting may
        // hold any number.)
        self.horizon_seconds.map(|s| {
            i64::try_from(s)
                .ok()
                .and_then(Duration::try_seconds)
                .unwrap_or(Duration::MAX)
        })
    }

    /// The instant at or before which what ended is dropped at `now`, or `None` when
    /// nothing can be (forever, or a horizon reaching before chrono's first date).
    pub(crate) fn cutoff(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        now.checked_sub_signed(self.horizon()?)
    }
}

impl Default for Retention {
    fn default() -> Self {
        Retention::DEFAULT
    }
}

/// One thing retention may drop.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Expiring {
    Copy(TaskId),
    Export(ExportTaskId),
    Import(crate::import::ImportTaskId),
    Response(AccountId, ClientToken),
}

/// What is over, oldest first: an index over the state's finished tasks and recorded
/// answers, rebuilt from them after deserialising. Entries whose item is gone (dropped by a
/// replayed `Forgotten`) are skipped and popped lazily.
#[derive(Debug, Clone, Default)]
pub(crate) struct RetentionQueue {
    entries: VecDeque<(DateTime<Utc>, Expiring)>,
}

impl RetentionQueue {
    /// Notes that `item` ended at `at` (never before the last noted: the clock only moves
    /// forward).
    pub(crate) fn push(&mut self, at: DateTime<Utc>, item: Expiring) {
        self.entries.push_back((at, item));
    }

    /// Rebuilds the queue from every ended item, in time order.
    pub(crate) fn rebuild(items: impl Iterator<Item = (DateTime<Utc>, Expiring)>) -> Self {
        let mut entries: Vec<_> = items.collect();
        entries.sort();
        RetentionQueue {
            entries: entries.into(),
        }
    }

    /// The items that ended at or before `cutoff` and for which `present(ended, item)`
    /// holds, oldest first.
    pub(crate) fn due(
        &self,
        cutoff: DateTime<Utc>,
        present: impl Fn(DateTime<Utc>, &Expiring) -> bool,
    ) -> impl Iterator<Item = &Expiring> {
        self.entries
            .iter()
            .take_while(move |(at, _)| *at <= cutoff)
            .filter(move |(at, item)| present(*at, item))
            .map(|(_, item)| item)
    }

    /// When the oldest item ended.
    pub(crate) fn oldest(&self) -> Option<DateTime<Utc>> {
        self.entries.front().map(|(at, _)| *at)
    }

    /// Pops the entries at the front whose item is gone (`present(ended, item)` fails).
    pub(crate) fn pop_gone(&mut self, present: impl Fn(DateTime<Utc>, &Expiring) -> bool) {
        while self
            .entries
            .front()
            .is_some_and(|(at, item)| !present(*at, item))
        {
            self.entries.pop_front();
        }
    }
}

/// When the oldest ended item falls due, remembered for the item and the setting it was
/// worked out for: chrono's date arithmetic cost more than the rest of a command's retention
/// check, and the oldest item rarely changes between commands.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DueTime {
    memo: Option<(DateTime<Utc>, Retention, Option<DateTime<Utc>>)>,
}

impl DueTime {
    /// Whether what ended at `ended` is due at `now` under `retention`: `ended` is at or
    /// before the cutoff (`now` less the horizon), that is `ended` plus the horizon is at
    /// or before `now`. Past chrono's range on either side it is not due, as
    /// [`Retention::cutoff`] has it.
    pub(crate) fn is_due(
        &mut self,
        retention: Retention,
        ended: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        let due_at = match self.memo {
            Some((e, r, due_at)) if e == ended && r == retention => due_at,
            _ => {
                let due_at = retention
                    .horizon()
                    .and_then(|h| ended.checked_add_signed(h));
                self.memo = Some((ended, retention, due_at));
                due_at
            }
        };
        due_at.is_some_and(|d| d <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn any_horizon_a_setting_can_hold_gives_a_cutoff_without_panicking() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for seconds in [
            u64::MAX,
            u64::MAX / 2,
            i64::MAX as u64 / 1000 + 1,
            10u64.pow(15),
        ] {
            let r = Retention::seconds(seconds);
            assert!(r.horizon().is_some());
            assert_eq!(
                r.cutoff(now),
                None,
                "{seconds} s reaches before chrono's first date"
            );
        }
        let hour = Retention::seconds(3600);
        assert_eq!(hour.cutoff(now), Some(now - Duration::hours(1)));
        assert_eq!(Retention::FOREVER.cutoff(now), None);
    }
}
