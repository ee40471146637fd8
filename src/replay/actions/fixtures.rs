//! The fixtures: what the cloud already holds (`SetAccount`, `SeedSnapshot`, `SeedImage`,
//! `SeedKmsKey`, `SetBucket`).

use chrono::{DateTime, Utc};

use crate::account::Account;
use crate::engine::Command;
use crate::export::{Bucket, BucketName};
use crate::id::{AccountId, ImageId, KmsKeyId, SnapshotId};
use crate::image::{Image, ImageKind, ImageStatus, Platform};
use crate::kms::KmsKey;
use crate::name::{Description, ImageName};
use crate::region::RegionId;
use crate::snapshot::Snapshot;

use super::super::param::{Str, Strs, params};
use super::super::{Reply, Runner};
use super::Respond;
use super::common::{Read, fixture_region, owner};

params! {
    /// `SetAccount`: an account, its quotas per region and its allow-lists.
    pub(crate) struct SetAccount<'a> {
        "AccountId" => account: Str<'a>,
        "ImageQuota" => image_quota: u64,
        "SnapshotQuota" => snapshot_quota: u64,
        "CrossBorderAllowed" => cross_border: bool,
        "ByokAllowed" => byok: bool,
        "SizeAllowed" => size: bool,
        "ExportEnabled" => export: bool,
    }
}

impl Respond for SetAccount<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let profile = runner.service().profile();
        let id = AccountId::new(self.account.str_req()?)
            .map_err(|e| self.account.invalid(&e.to_string()))?;
        let account = Account::new(
            id,
            self.image_quota
                .u32_opt()?
                .unwrap_or(profile.default_image_quota),
            self.snapshot_quota
                .u32_opt()?
                .unwrap_or(profile.default_snapshot_quota),
        )
        .allow_cross_border(self.cross_border.or(false)?)
        .allow_byok(self.byok.or(false)?)
        .allow_size(self.size.or(false)?)
        .enable_export(self.export.or(false)?);
        runner.run(at, Command::from(account))?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `SeedSnapshot`: a snapshot of a disk.
    pub(crate) struct SeedSnapshot<'a> {
        "RegionId" => region: Str<'a>,
        "SnapshotId" => snapshot: Str<'a>,
        "OwnerId" => owner: Str<'a>,
        "CreationTime" => created: Str<'a>,
        "SizeGiB" => size: u64,
        "Encrypted" => encrypted: bool,
        "KMSKeyId" => kms_key: Str<'a>,
        "SourceImageId" => source_image: Str<'a>,
    }
}

impl Respond for SeedSnapshot<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        // Changed in place: the common snapshot (neither encrypted nor from an image) is not
        // moved from one binding to the next.
        let mut snapshot = Snapshot::new(
            SnapshotId::new(self.snapshot.str_req()?)
                .map_err(|e| self.snapshot.invalid(&e.to_string()))?,
            fixture_region(&self.region)?,
            owner(&self.owner, None)?,
            self.created.time_opt()?.unwrap_or(at),
            self.size.u64_opt()?.unwrap_or(20),
        );
        let encrypted = self.encrypted.or(false)?;
        let key = self
            .kms_key
            .str_opt()?
            .map(|s| KmsKeyId::new(s).map_err(|e| self.kms_key.invalid(&e.to_string())))
            .transpose()?;
        match (encrypted, key) {
            (false, None) => {}
            (true, None) => snapshot = snapshot.encrypted_with_service_key(),
            (true, Some(key)) => snapshot = snapshot.encrypted_with(key),
            (false, Some(_)) => {
                return Err(self
                    .kms_key
                    .invalid("a snapshot with a KMS key is encrypted (Encrypted true)"));
            }
        }
        // The image whose disk the snapshot holds (taken from an instance of it): the
        // snapshot's lineage, which `CreateImage` passes on (seed 001's image fee).
        if let Some(s) = self.source_image.str_opt()? {
            let id = ImageId::new(s).map_err(|e| self.source_image.invalid(&e.to_string()))?;
            let image = runner.service().state().image(&id).ok_or_else(|| {
                self.source_image
                    .invalid(&format!("there is no image {id}"))
            })?;
            snapshot = snapshot.with_lineage(Some(image.lineage()));
        }
        runner.run(at, Command::from(snapshot))?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `SeedImage`: a custom (`self`), public (`system`) or `marketplace` image.
    pub(crate) struct SeedImage<'a> {
        "RegionId" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "ImageName" => name: Str<'a>,
        "OwnerId" => owner: Str<'a>,
        "ImageOwnerAlias" => alias: Str<'a>,
        "Status" => status: Str<'a>,
        "Platform" => platform: Str<'a>,
        "SnapshotIds" => snapshots: Strs<'a>,
        "SizeGiB" => size: u64,
        "WholeMachine" => whole_machine: bool,
        "Paid" => paid: bool,
        "PublishedRegions" => published_regions: Strs<'a>,
        "Description" => description: Str<'a>,
    }
}

impl SeedImage<'_> {
    /// The image. `ImageOwnerAlias` is `self` (a custom image of `OwnerId`, the default),
    /// `system` or `marketplace` (`OwnerId` then defaults to `system` / `marketplace`).
    /// Parameters are read in the order they always were, so that the first bad one is the
    /// one reported.
    fn image(
        &self,
        at: DateTime<Utc>,
        snapshot_size: impl Fn(&SnapshotId) -> Option<u64>,
    ) -> Read<Image> {
        let (kind, default_owner) = match self.alias.str_opt()?.unwrap_or("self") {
            "self" => (ImageKind::Custom, None),
            "system" => (ImageKind::System, Some("system")),
            "marketplace" => (ImageKind::Marketplace, Some("marketplace")),
            other => {
                return Err(self
                    .alias
                    .invalid(&format!("{other:?} is not self, system or marketplace")));
            }
        };
        let id =
            ImageId::new(self.image.str_req()?).map_err(|e| self.image.invalid(&e.to_string()))?;
        // Straight from the parameter's strings: no list of them in between.
        let snapshots = self
            .snapshots
            .opt()?
            .into_iter()
            .flatten()
            .map(|s| SnapshotId::new(s).map_err(|e| self.snapshots.invalid(&e.to_string())))
            .collect::<Read<Vec<_>>>()?;
        let size_gib = match self.size.u64_opt()? {
            Some(n) => n,
            // Saturating, like the engine's `CreateImage`: sizes are any u64.
            None => snapshots
                .iter()
                .filter_map(&snapshot_size)
                .fold(0u64, |sum, s| sum.saturating_add(s)),
        };
        let status = match self.status.str_opt()? {
            None => ImageStatus::Available,
            Some(s) => s.parse().map_err(|_| {
                self.status
                    .invalid(&format!("{s:?} is not an image status"))
            })?,
        };
        let platform: Platform = match self.platform.str_opt()? {
            None => Platform::Linux,
            Some(s) => s.parse().map_err(|_| {
                self.platform
                    .invalid(&format!("{s:?} is not Linux or Windows"))
            })?,
        };
        let published_regions = self
            .published_regions
            .strs()?
            .into_iter()
            .map(|s| RegionId::new(s).map_err(|e| self.published_regions.invalid(&e.to_string())))
            .collect::<Read<Vec<_>>>()?;
        let region = fixture_region(&self.region)?;
        let owner = owner(&self.owner, default_owner)?;
        let name =
            ImageName::new(self.name.str_req()?).map_err(|e| self.name.invalid(&e.to_string()))?;
        let description = self
            .description
            .str_opt()?
            .map(|s| Description::new(s).map_err(|e| self.description.invalid(&e.to_string())))
            .transpose()?;
        let whole_machine = self.whole_machine.or(false)?;
        let paid = self.paid.or(false)?;
        if kind != ImageKind::Marketplace && !published_regions.is_empty() {
            return Err(self
                .published_regions
                .invalid("only a marketplace image is published to regions"));
        }
        let builder = match kind {
            ImageKind::Custom => Image::custom(id, region, owner, name, snapshots),
            ImageKind::System => Image::public(id, region, owner, name, snapshots),
            ImageKind::Marketplace => {
                Image::marketplace(id, region, owner, name, snapshots, published_regions)
            }
        };
        let mut builder = builder
            .platform(platform)
            .size_gib(size_gib)
            .whole_machine(whole_machine)
            .paid(paid)
            .status(status)
            .created_at(at);
        if let Some(d) = description {
            builder = builder.description(d);
        }
        // Every rule left (progress follows the status, an original is its own source) holds
        // by construction here.
        builder
            .build()
            .map_err(|e| self.image.invalid(&e.to_string()))
    }
}

impl Respond for SeedImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let state = runner.service().state();
        let image = self.image(at, |id| state.snapshot(id).map(|s| s.size_gib))?;
        runner.run(at, Command::from(image))?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `SeedKmsKey`: a KMS key (`Authorized` defaults to true).
    pub(crate) struct SeedKmsKey<'a> {
        "RegionId" => region: Str<'a>,
        "KeyId" => key: Str<'a>,
        "OwnerId" => owner: Str<'a>,
        "Authorized" => authorized: bool,
    }
}

impl Respond for SeedKmsKey<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let key = KmsKey::new(
            KmsKeyId::new(self.key.str_req()?).map_err(|e| self.key.invalid(&e.to_string()))?,
            fixture_region(&self.region)?,
            owner(&self.owner, None)?,
        );
        let key = key.authorized(self.authorized.or(true)?);
        runner.run(at, Command::from(key))?;
        Ok(Reply::Plain)
    }
}

params! {
    /// `SetBucket`: an object-storage bucket (COS/OSS) for exports.
    pub(crate) struct SetBucket<'a> {
        "BucketName" => bucket: Str<'a>,
        "RegionId" => region: Str<'a>,
        "OwnerId" => owner: Str<'a>,
    }
}

impl Respond for SetBucket<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let bucket = Bucket::new(
            BucketName::new(self.bucket.str_req()?)
                .map_err(|e| self.bucket.invalid(&e.to_string()))?,
            fixture_region(&self.region)?,
            AccountId::new(self.owner.str_req()?)
                .map_err(|e| self.owner.invalid(&e.to_string()))?,
        );
        runner.run(at, Command::from(bucket))?;
        Ok(Reply::Plain)
    }
}
