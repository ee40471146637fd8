//! The usage and names of each account in each region (a [`Scope`]), found with one hash
//! lookup by the pair of ids, borrowed.

use crate::id::{AccountId, ImageId};
use crate::name::ImageName;
use crate::region::RegionId;

use super::{Table, Usage};
use indexmap::Equivalent;
use rustc_hash::FxHashMap;

/// One account's footprint in one region: what it uses and its custom images by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) usage: Usage,
    pub(crate) names: FxHashMap<ImageName, ImageId>,
}

/// The scopes, by account and region. One table keyed by the pair: a copy or a fixture
/// looks its scope up twice (check, then apply), and a table of tables cost two lookups
/// each time. A lookup borrows both ids ([`ScopeRef`]) instead of building an owned key. A
/// scope stays once made (at most one per account and region): emptied, it reads as zero
/// usage and no names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scopes {
    table: Table<ScopeKey, Scope>,
}

/// Where a scope sits in [`Scopes`]: a check that found a scope hands its slot on to the
/// change that follows, which then finds the scope without hashing its two ids again. A
/// slot stays valid for as long as the state lives (until [`Scopes::clear`]): scopes are
/// only ever added, never removed, so none moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScopeSlot(usize);

/// An account in a region, the key of a [`Scope`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ScopeKey {
    owner: AccountId,
    region: RegionId,
}

/// A [`ScopeKey`] borrowed. It hashes as the key does (the same fields, in the same order:
/// a reference hashes as what it points to), so it finds the key's entry.
#[derive(Hash)]
struct ScopeRef<'a> {
    owner: &'a AccountId,
    region: &'a RegionId,
}

impl Equivalent<ScopeKey> for ScopeRef<'_> {
    fn equivalent(&self, key: &ScopeKey) -> bool {
        self.owner == &key.owner && self.region == &key.region
    }
}

impl Scopes {
    /// `owner`'s scope in `region`, if it has had one.
    pub(crate) fn get(&self, owner: &AccountId, region: &RegionId) -> Option<&Scope> {
        self.table.get(&ScopeRef { owner, region })
    }

    /// `owner`'s scope in `region`, to change, if it has had one.
    pub(crate) fn get_mut(&mut self, owner: &AccountId, region: &RegionId) -> Option<&mut Scope> {
        self.table.get_mut(&ScopeRef { owner, region })
    }

    /// `owner`'s scope in `region` with its slot, if it has had one.
    pub(crate) fn get_full(
        &self,
        owner: &AccountId,
        region: &RegionId,
    ) -> Option<(ScopeSlot, &Scope)> {
        let (i, _, scope) = self.table.get_full(&ScopeRef { owner, region })?;
        Some((ScopeSlot(i), scope))
    }

    /// `owner`'s scope in `region`, made empty if new.
    pub(crate) fn get_or_default(&mut self, owner: &AccountId, region: &RegionId) -> &mut Scope {
        self.at_or_default(None, owner, region)
    }

    /// `owner`'s scope in `region`, made empty if new, found at `slot` when a check found it
    /// there already (no second lookup).
    pub(crate) fn at_or_default(
        &mut self,
        slot: Option<ScopeSlot>,
        owner: &AccountId,
        region: &RegionId,
    ) -> &mut Scope {
        let i = match slot.or_else(|| self.position(owner, region)) {
            Some(ScopeSlot(i)) => {
                debug_assert!(
                    ScopeRef { owner, region }
                        .equivalent(self.table.get_index(i).expect("a slot").0),
                    "a scope's slot names its account and region"
                );
                i
            }
            None => {
                let key = ScopeKey {
                    owner: owner.clone(),
                    region: region.clone(),
                };
                self.table.insert_full(key, Scope::default()).0
            }
        };
        &mut self.table[i]
    }

    fn position(&self, owner: &AccountId, region: &RegionId) -> Option<ScopeSlot> {
        self.table
            .get_index_of(&ScopeRef { owner, region })
            .map(ScopeSlot)
    }

    /// Every scope with its account and region, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&AccountId, &RegionId, &Scope)> {
        self.table.iter().map(|(k, s)| (&k.owner, &k.region, s))
    }

    /// Drops every scope.
    pub(crate) fn clear(&mut self) {
        self.table.clear();
    }
}
