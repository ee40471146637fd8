//! The host's reports: started, progress, finished, failed, for copies and exports.

use crate::copy::{CopyTask, TaskId, TaskState};

use super::{Checked, Decision, Events, one};
use crate::engine::command::HostReport;
use crate::engine::event::Event;
use crate::engine::state::State;
use crate::engine::{EngineError, HostError, Outcome};
use crate::export::{ExportTask, ExportTaskId};

/// Decides a host report: it must name a live task and a move its diagram has (a
/// [`HostError`] otherwise).
pub(super) fn report(state: &State, report: &HostReport) -> Checked<Decision> {
    match report {
        HostReport::ExportStarted(task) => started(state, *task),
        HostReport::ExportProgress { task, percent } => progress(state, *task, *percent),
        HostReport::ExportFinished(task) => finished(state, *task),
        HostReport::ExportFailed { task, reason } => failed(state, *task, reason),
        HostReport::ImportStarted(id) => {
            let t = import_task(state, *id)?;
            if t.state() == crate::import::ImportState::Running {
                return Ok(Decision::new(Outcome::Reported, Events::default()));
            }
            t.state().start(*id)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::ImportStarted { task: *id }),
            ))
        }
        HostReport::ImportProgress { task, percent } => {
            let t = import_task(state, *task)?;
            t.state().check_progress(*task)?;
            if *percent > 100 || *percent < t.progress() {
                return Err(EngineError::Host(HostError::ImportProgressOutOfOrder {
                    task: *task,
                    percent: *percent,
                }));
            }
            let events = if *percent == t.progress() {
                Events::default()
            } else {
                one(Event::ImportProgressed {
                    task: *task,
                    percent: *percent,
                })
            };
            Ok(Decision::new(Outcome::Reported, events))
        }
        HostReport::ImportFinished(id) => {
            import_task(state, *id)?.state().finish(*id)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::ImportSucceeded { task: *id }),
            ))
        }
        HostReport::ImportFailed { task, reason } => {
            import_task(state, *task)?.state().fail(*task)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::ImportFailed {
                    task: *task,
                    reason: reason.clone(),
                }),
            ))
        }
        HostReport::CopyStarted(task) => {
            let t = live_task(state, *task)?;
            if t.state() != TaskState::Running {
                return Err(EngineError::from(crate::copy::TransitionError {
                    task: *task,
                    from: t.state(),
                    action: "start",
                }));
            }
            Ok(Decision::new(Outcome::Reported, Vec::new()))
        }
        HostReport::CopyProgress { task, percent } => {
            let t = live_task(state, *task)?;
            t.state().check_progress(*task)?;
            if *percent > 100 {
                return Err(EngineError::Host(HostError::ProgressOutOfRange {
                    task: *task,
                    percent: *percent,
                }));
            }
            if *percent < t.progress() {
                return Err(EngineError::Host(HostError::ProgressWentBack {
                    task: *task,
                    from: t.progress(),
                    to: *percent,
                }));
            }
            let events = if *percent == t.progress() {
                Events::default()
            } else {
                one(Event::CopyProgressed {
                    task: *task,
                    percent: *percent,
                })
            };
            Ok(Decision::new(Outcome::Reported, events))
        }
        HostReport::CopyFinished(task) => {
            live_task(state, *task)?.state().finish(*task)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::CopySucceeded { task: *task }),
            ))
        }
        HostReport::CopyFailed { task, reason } => {
            live_task(state, *task)?.state().fail(*task)?;
            Ok(Decision::new(
                Outcome::Reported,
                one(Event::CopyFailed {
                    task: *task,
                    reason: reason.clone(),
                }),
            ))
        }
    }
}

pub(super) fn live_task(state: &State, id: TaskId) -> Checked<&CopyTask> {
    state
        .task(id)
        .ok_or(EngineError::Host(HostError::UnknownTask(id)))
}

/// The export task `id` if it exists (`EngineError::UnknownExport` otherwise).
pub(super) fn export_task(state: &State, id: ExportTaskId) -> Checked<&ExportTask> {
    state
        .export(id)
        .ok_or(EngineError::Host(HostError::UnknownExport(id)))
}

/// Host report: the export began. Reported again while it runs, it changes nothing (a host
/// resuming after a restart may report a start twice, see `Effect`).
pub(super) fn started(state: &State, id: ExportTaskId) -> Checked<Decision> {
    let task = export_task(state, id)?;
    if task.state() == crate::export::ExportState::Running {
        return Ok(Decision::new(Outcome::Reported, Events::default()));
    }
    task.state().start(id)?;
    Ok(Decision::new(
        Outcome::Reported,
        one(Event::ExportStarted { task: id }),
    ))
}

/// Host report: progress, 0 to 100 and never back.
pub(super) fn progress(state: &State, id: ExportTaskId, percent: u8) -> Checked<Decision> {
    let t = export_task(state, id)?;
    t.state().check_progress(id)?;
    if percent > 100 {
        return Err(HostError::ExportProgressOutOfRange { task: id, percent }.into());
    }
    if percent < t.progress() {
        return Err(EngineError::Host(HostError::ExportProgressWentBack {
            task: id,
            from: t.progress(),
            to: percent,
        }));
    }
    let events = if percent == t.progress() {
        Events::default()
    } else {
        one(Event::ExportProgressed { task: id, percent })
    };
    Ok(Decision::new(Outcome::Reported, events))
}

/// Host report: finished.
pub(super) fn finished(state: &State, id: ExportTaskId) -> Checked<Decision> {
    export_task(state, id)?.state().finish(id)?;
    Ok(Decision::new(
        Outcome::Reported,
        one(Event::ExportSucceeded { task: id }),
    ))
}

/// Host report: failed.
pub(super) fn failed(state: &State, id: ExportTaskId, reason: &str) -> Checked<Decision> {
    export_task(state, id)?.state().fail(id)?;
    Ok(Decision::new(
        Outcome::Reported,
        one(Event::ExportFailed {
            task: id,
            reason: reason.to_owned(),
        }),
    ))
}

pub(super) fn import_task(
    state: &State,
    id: crate::import::ImportTaskId,
) -> Checked<&crate::import::ImportTask> {
    state
        .import(id)
        .ok_or(EngineError::Host(HostError::UnknownImport(id)))
}
