//! Retention: dropping finished tasks and recorded answers (the `Forgotten` event), and
//! finding what is due.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::copy::{TaskId, TaskTable};
use crate::export::{ExportTask, ExportTaskId};
use crate::id::{AccountId, ClientToken};

use crate::engine::event::Event;
use crate::engine::retention::Expiring;
use rustc_hash::FxHashMap;

use super::*;

impl State {
    /// Drops finished tasks and recorded answers (checked: they exist and are over).
    pub(super) fn forget(
        &mut self,
        copies: &[TaskId],
        exports: &[ExportTaskId],
        responses: &[(AccountId, ClientToken)],
    ) {
        for id in copies {
            self.tasks.remove(*id);
        }
        for id in exports {
            self.exports.remove(id);
        }
        for key in responses {
            self.responses.remove(key);
        }
        let (tasks, exports, answers) = (&self.tasks, &self.exports, &self.responses);
        self.retiring
            .pop_gone(|at, item| still_retained(tasks, exports, answers, at, item));
    }

    /// What retention drops at `cutoff`, as the `Forgotten` event: every finished task and
    /// recorded answer that ended at or before it, each list sorted; `None` when nothing.
    pub(crate) fn due_for_forgetting(&self, cutoff: DateTime<Utc>) -> Option<Event> {
        let (mut copies, mut exports, mut responses) = (Vec::new(), Vec::new(), Vec::new());
        let present = |at, item: &Expiring| {
            still_retained(&self.tasks, &self.exports, &self.responses, at, item)
        };
        for item in self.retiring.due(cutoff, present) {
            match item {
                Expiring::Copy(id) => copies.push(*id),
                Expiring::Export(id) => exports.push(*id),
                Expiring::Response(caller, token) => {
                    responses.push((caller.clone(), token.clone()))
                }
            }
        }
        if copies.is_empty() && exports.is_empty() && responses.is_empty() {
            return None;
        }
        copies.sort();
        exports.sort();
        responses.sort();
        Some(Event::Forgotten {
            copies,
            exports,
            responses,
        })
    }
}

/// Whether the state still holds the item a retention entry noted as ended at `at` (a
/// client token answered again after its first answer was dropped is a new item).
fn still_retained(
    tasks: &TaskTable,
    exports: &BTreeMap<ExportTaskId, ExportTask>,
    answers: &FxHashMap<(AccountId, ClientToken), RecordedResponse>,
    at: DateTime<Utc>,
    item: &Expiring,
) -> bool {
    match item {
        Expiring::Copy(id) => tasks.contains_key(id),
        Expiring::Export(id) => exports.contains_key(id),
        Expiring::Response(caller, token) => answers
            .get(&(caller.clone(), token.clone()))
            .is_some_and(|r| r.recorded_at == at),
    }
}
