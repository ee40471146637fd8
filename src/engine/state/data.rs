//! The serialised form of the state: its facts, sorted, so equal states serialise to the
//! same bytes; the indexes are rebuilt on the way in. Equality of states is equality of
//! this form.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::copy::{CopyTask, QueueScope};
use crate::export::{Bucket, ExportTask};
use crate::id::{AccountId, ImageId};
use crate::image::Image;
use crate::import::ImportTask;
use crate::kms::KmsKey;
use crate::snapshot::Snapshot;

use super::*;

impl PartialEq for State {
    /// Two states are equal when their facts are; indexes follow from facts.
    fn eq(&self, other: &Self) -> bool {
        StateData::from(self) == StateData::from(other)
    }
}

/// The serialised form of a [`State`]: the facts, sorted, so equal states serialise to the
/// same bytes; the indexes are rebuilt on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StateData {
    now: Option<DateTime<Utc>>,
    queue_scope: QueueScope,
    accounts: Vec<Account>,
    snapshots: Vec<Snapshot>,
    images: Vec<Image>,
    kms_keys: Vec<KmsKey>,
    shares: Vec<(ImageId, Vec<AccountId>)>,
    tasks: Vec<CopyTask>,
    responses: Vec<RecordedResponse>,
    next_image: u64,
    next_snapshot: u64,
    next_task: u64,
    #[serde(default)]
    buckets: Vec<Bucket>,
    #[serde(default)]
    exports: Vec<ExportTask>,
    #[serde(default)]
    next_export: u64,
    #[serde(default)]
    imports: Vec<ImportTask>,
    #[serde(default)]
    next_import: u64,
}

fn sorted_by<T: Clone, K: Ord>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort_by_key(|a| key(a));
    v
}

impl From<&State> for StateData {
    fn from(s: &State) -> Self {
        StateData {
            now: s.now,
            queue_scope: s.queue_scope,
            accounts: sorted_by(s.accounts.values().cloned(), |a| a.id.clone()),
            snapshots: sorted_by(s.snapshots.values().cloned(), |x| x.id.clone()),
            images: sorted_by(s.images.values().cloned(), |x| x.id.clone()),
            kms_keys: sorted_by(s.keys.values().cloned(), |x| x.id.clone()),
            shares: sorted_by(
                s.shares
                    .iter()
                    .map(|(i, set)| (i.clone(), set.iter().cloned().collect())),
                |x: &(ImageId, Vec<AccountId>)| x.0.clone(),
            ),
            tasks: s.tasks.values().cloned().collect(),
            responses: sorted_by(s.responses.values().cloned(), |r| {
                (r.caller.clone(), r.token.clone())
            }),
            next_image: s.next_image,
            next_snapshot: s.next_snapshot,
            next_task: s.next_task,
            buckets: s.buckets.values().cloned().collect(),
            exports: s.exports.values().cloned().collect(),
            next_export: s.next_export,
            imports: s.imports.values().cloned().collect(),
            next_import: s.next_import,
        }
    }
}

/// Why a serialised state was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state refused: {0}")]
pub struct StateError(pub super::invariants::InvariantViolation);

impl StateData {
    /// The queue scope the state was built with.
    pub(crate) fn queue_scope(&self) -> QueueScope {
        self.queue_scope
    }

    /// Builds the state (the caller checks the invariants, which need the profile).
    pub(crate) fn into_state(self) -> Result<State, StateError> {
        let mut s = State::new(self.queue_scope);
        s.now = self.now;
        s.next_image = self.next_image;
        s.next_snapshot = self.next_snapshot;
        s.next_task = self.next_task;
        s.next_export = self.next_export;
        s.next_import = self.next_import;
        let dup =
            |what: String| StateError(super::invariants::InvariantViolation::DuplicateId(what));
        for a in self.accounts {
            if s.accounts.insert(a.id.clone(), a).is_some() {
                return Err(dup("account".into()));
            }
        }
        for x in self.snapshots {
            if let Some(old) = s.snapshots.insert(x.id.clone(), x) {
                return Err(dup(old.id.to_string()));
            }
        }
        for x in self.images {
            if let Some(old) = s.images.insert(x.id.clone(), x) {
                return Err(dup(old.id.to_string()));
            }
        }
        for x in self.kms_keys {
            if let Some(old) = s.keys.insert(x.id.clone(), x) {
                return Err(dup(old.id.to_string()));
            }
        }
        for (image, accounts) in self.shares {
            if !accounts.is_empty() {
                s.shares.insert(image, accounts.into_iter().collect());
            }
        }
        for t in self.tasks {
            if let Some(old) = s.tasks.insert(t.id, t) {
                return Err(dup(old.id.to_string()));
            }
        }
        for b in self.buckets {
            if let Some(old) = s.buckets.insert(b.name.clone(), b) {
                return Err(dup(old.name.to_string()));
            }
        }
        for t in self.exports {
            if let Some(old) = s.exports.insert(t.id, t) {
                return Err(dup(old.id.to_string()));
            }
        }
        for t in self.imports {
            if let Some(old) = s.imports.insert(t.id, t) {
                return Err(dup(old.id.to_string()));
            }
        }
        for r in self.responses {
            let key = (r.caller.clone(), r.token.clone());
            if s.responses.insert(key, r).is_some() {
                return Err(dup("client token answered twice".into()));
            }
        }
        s.rebuild_indexes();
        Ok(s)
    }
}
