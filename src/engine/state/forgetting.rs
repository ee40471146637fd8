//! Retention: dropping finished tasks and recorded answers (the `Forgotten` event), and
//! finding what is due.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::copy::{TaskId, TaskTable};
use crate::export::{ExportTask, ExportTaskId};
use crate::id::{AccountId, ClientToken};
use crate::import::{ImportTask, ImportTaskId};

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
        imports: &[ImportTaskId],
    ) {
        for id in imports {
            self.imports.remove(id);
        }
        for id in copies {
            self.tasks.remove(*id);
        }
        for id in exports {
            self.exports.remove(id);
        }
        for key in responses {
            self.responses.remove(key);
        }
        let held = Held {
            tasks: &self.tasks,
            exports: &self.exports,
            imports: &self.imports,
            answers: &self.responses,
        };
        self.retiring
            .pop_gone(|at, item| held.still_retained(at, item));
    }

    /// What retention drops at `cutoff`, as the `Forgotten` event: every finished task and
    /// recorded answer that ended at or before it, each list sorted; `None` when nothing.
    pub(crate) fn due_for_forgetting(&self, cutoff: DateTime<Utc>) -> Option<Event> {
        let (mut copies, mut exports, mut responses) = (Vec::new(), Vec::new(), Vec::new());
        let mut imports = Vec::new();
        let held = Held {
            tasks: &self.tasks,
            exports: &self.exports,
            imports: &self.imports,
            answers: &self.responses,
        };
        let present = |at, item: &Expiring| held.still_retained(at, item);
        for item in self.retiring.due(cutoff, present) {
            match item {
                Expiring::Copy(id) => copies.push(*id),
                Expiring::Export(id) => exports.push(*id),
                Expiring::Import(id) => imports.push(*id),
                Expiring::Response(caller, token) => {
                    responses.push((caller.clone(), token.clone()))
                }
            }
        }
        if copies.is_empty() && exports.is_empty() && responses.is_empty() && imports.is_empty() {
            return None;
        }
        copies.sort();
        exports.sort();
        responses.sort();
        imports.sort();
        Some(Event::Forgotten {
            copies,
            exports,
            responses,
            imports,
        })
    }
}

/// What the state holds that retention drops.
struct Held<'s> {
    tasks: &'s TaskTable,
    exports: &'s BTreeMap<ExportTaskId, ExportTask>,
    imports: &'s BTreeMap<ImportTaskId, ImportTask>,
    answers: &'s FxHashMap<(AccountId, ClientToken), RecordedResponse>,
}

impl Held<'_> {
    /// Whether the state still holds the item a retention entry noted as ended at `at` (a
    /// client token answered again after its first answer was dropped is a new item).
    fn still_retained(&self, at: DateTime<Utc>, item: &Expiring) -> bool {
        match item {
            Expiring::Copy(id) => self.tasks.contains_key(id),
            Expiring::Export(id) => self.exports.contains_key(id),
            Expiring::Import(id) => self.imports.contains_key(id),
            Expiring::Response(caller, token) => self
                .answers
                .get(&(caller.clone(), token.clone()))
                .is_some_and(|r| r.recorded_at == at),
        }
    }
}
