//! `Simulator`: the host played for tests, examples and harnesses.
//!
//! It wraps an [`ImageService`] and, as time advances, does what a real host would: each
//! running copy takes a modelled duration, reports its progress, and finishes. Seed 000 says
//! a copy takes 10 to 30 minutes; the model scales with size: 10 minutes plus 2.4 seconds per
//! GiB, at most 30 minutes (so 500 GiB and more take 30 minutes).
//!
//! Exports ([`crate::export`]) start the moment they are accepted (the simulator reports
//! `ExportStarted` at the acceptance time) and take [`export_duration`]: 5 minutes plus 6
//! seconds per GiB written.
//!
//! [`Simulator::advance_to`] completes, in time order, every copy and export whose modelled
//! end is at or before `now` (the next copy in the region starts at that instant and its own
//! clock runs from there), then reports the progress of the copies and exports still running.

use chrono::{DateTime, Duration, Utc};

use crate::copy::TaskState;
use crate::engine::{Command, EngineError, ImageService, Outcome};
use crate::export::{ExportState, ExportTask};
use crate::provider::Profile;

/// The modelled duration of an export writing `size_gib` GiB: 5 minutes plus 6 seconds per
/// GiB (seed 002 only says it depends on the image's size and how busy the task queue is;
/// the figures are this crate's choice).
pub fn export_duration(size_gib: u64) -> Duration {
    // Capped at about 31,700 years so the duration stays within chrono's range.
    let seconds = size_gib
        .saturating_mul(6)
        .saturating_add(300)
        .min(1_000_000_000_000);
    Duration::seconds(seconds as i64)
}

/// The modelled duration of a copy of `size_gib` GiB (see the module docs).
pub fn copy_duration(size_gib: u64) -> Duration {
    let extra_seconds = size_gib.saturating_mul(12) / 5; // 2.4 s per GiB
    Duration::seconds((600 + extra_seconds).min(1800) as i64)
}

/// When a task started at `start` and taking `duration` ends: at the end of time when that is
/// past chrono's last date (such a task never ends in a run).
fn ends_at(start: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    start
        .checked_add_signed(duration)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The engine with a modelled host.
#[derive(Debug, Clone)]
pub struct Simulator {
    service: ImageService,
}

impl Simulator {
    /// An empty world under `profile`.
    pub fn new(profile: Profile) -> Self {
        Simulator {
            service: ImageService::new(profile),
        }
    }

    /// Wraps an existing service.
    pub fn from_service(service: ImageService) -> Self {
        Simulator { service }
    }

    /// The engine.
    pub fn service(&self) -> &ImageService {
        &self.service
    }

    /// The engine, mutably (to poll events and effects).
    pub fn service_mut(&mut self) -> &mut ImageService {
        &mut self.service
    }

    /// Unwraps the engine.
    pub fn into_service(self) -> ImageService {
        self.service
    }

    /// Advances to `now`, then handles `command` at `now`.
    pub fn handle(&mut self, now: DateTime<Utc>, command: Command) -> Result<Outcome, EngineError> {
        self.advance_to(now)?;
        self.service.handle(now, command)
    }

    /// When the running copy `task` ends, by the model.
    fn end_of(&self, task: &crate::copy::CopyTask) -> Option<DateTime<Utc>> {
        task.started_at
            .map(|s| ends_at(s, copy_duration(task.size_gib)))
    }

    /// The running copies: one per queue lane at most, so this is cheap however many tasks
    /// the state has seen.
    fn running(&self) -> impl Iterator<Item = &crate::copy::CopyTask> + '_ {
        let state = self.service.state();
        state
            .queues()
            .lanes()
            .filter_map(|(_, running, _)| running)
            .filter_map(|id| state.task(id))
            .filter(|t| t.state == TaskState::Running)
    }

    /// The live exports (queued or running): as many as images being exported.
    fn live_exports(&self) -> impl Iterator<Item = &ExportTask> + '_ {
        self.service.state().live_exports()
    }

    /// When the running export `task` ends, by the model.
    fn export_end(task: &ExportTask) -> Option<DateTime<Utc>> {
        task.started_at
            .map(|s| ends_at(s, export_duration(task.size_gib())))
    }

    /// Completes every copy and export due by `now`, in order of modelled end (copies before
    /// exports at the same instant, then by task id), and reports the progress of the rest.
    /// Queued exports are started first, at their acceptance. Refused (`TimeWentBackwards`)
    /// if `now` is before the state's clock (the last state change).
    pub fn advance_to(&mut self, now: DateTime<Utc>) -> Result<(), EngineError> {
        if let Some(last) = self.service.state().now() {
            if now < last {
                return Err(EngineError::TimeWentBackwards { last, now });
            }
        }
        let mut queued: Vec<_> = self
            .live_exports()
            .filter(|t| t.state == ExportState::Queued)
            .map(|t| (t.id, t.queued_at))
            .collect();
        queued.sort();
        for (task, queued_at) in queued {
            let at = self
                .service
                .state()
                .now()
                .map_or(queued_at, |last| queued_at.max(last));
            self.service.handle(at, Command::ExportStarted(task))?;
        }
        loop {
            let copy = self
                .running()
                .filter_map(|t| self.end_of(t).map(|end| (end, 0, t.id.0)))
                .filter(|(end, _, _)| *end <= now)
                .min();
            let export = self
                .live_exports()
                .filter(|t| t.state == ExportState::Running)
                .filter_map(|t| Self::export_end(t).map(|end| (end, 1, t.id.0)))
                .filter(|(end, _, _)| *end <= now)
                .min();
            let Some((end, kind, id)) = copy.into_iter().chain(export).min() else {
                break;
            };
            let at = self.service.state().now().map_or(end, |last| end.max(last));
            let command = if kind == 0 {
                Command::CopyFinished(crate::copy::TaskId(id))
            } else {
                Command::ExportFinished(crate::export::ExportTaskId(id))
            };
            self.service.handle(at, command)?;
        }
        let export_progress: Vec<_> = self
            .live_exports()
            .filter(|t| t.state == ExportState::Running)
            .filter_map(|t| {
                let start = t.started_at?;
                let total = export_duration(t.size_gib()).num_seconds().max(1);
                let elapsed = (now - start).num_seconds().clamp(0, total);
                let percent = ((elapsed * 100) / total).min(99) as u8;
                (percent > t.progress).then_some((t.id, percent))
            })
            .collect();
        for (task, percent) in export_progress {
            self.service
                .handle(now, Command::ExportProgress { task, percent })?;
        }
        let progress: Vec<_> = self
            .running()
            .filter_map(|t| {
                let start = t.started_at?;
                let total = copy_duration(t.size_gib).num_seconds().max(1);
                let elapsed = (now - start).num_seconds().clamp(0, total);
                let percent = ((elapsed * 100) / total).min(99) as u8;
                (percent > t.progress).then_some((t.id, percent))
            })
            .collect();
        for (task, percent) in progress {
            self.service
                .handle(now, Command::CopyProgress { task, percent })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_10_to_30_minutes() {
        assert_eq!(copy_duration(0), Duration::minutes(10));
        assert_eq!(copy_duration(250), Duration::minutes(20));
        assert_eq!(copy_duration(500), Duration::minutes(30));
        assert_eq!(copy_duration(u64::MAX), Duration::minutes(30));
    }

    #[test]
    fn exports_take_5_minutes_plus_6_seconds_per_gib() {
        assert_eq!(export_duration(0), Duration::minutes(5));
        assert_eq!(export_duration(50), Duration::minutes(10));
        assert!(export_duration(u64::MAX) > Duration::days(365));
    }
}
