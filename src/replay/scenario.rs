//! Rendering engine commands as scenario lines: the way back from a generated or recorded
//! sequence of [`Command`]s to a JSON Lines file the [`Runner`](super::Runner) (and
//! `examples/replay.rs`) replays, so a counterexample can be attached to a bug report.
//!
//! Lines are in the Alibaba form. What the format can't express is refused with a
//! [`RenderError`] rather than approximated: `CreateImage` (no action), a copy to several
//! regions or a dry run (Tencent's `SyncImages`), the host reports the runner's simulator
//! makes itself (`CopyStarted`, `CopyProgress`, `CopyFinished`, and the same for exports),
//! a dry-run or system-disk-only export (Tencent's `ExportImages`), fixture images whose
//! fields the `SeedImage` action derives (tags, lineage, progress, a creation time other
//! than the line's), and profiles that differ from the built-in ones other than through
//! `Configure`'s parameters.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use machine_image::engine::{Command, ImageService};
//! use machine_image::replay::scenario::Scenario;
//! use machine_image::{Account, AccountId, Profile};
//!
//! let profile = Profile::alibaba();
//! let service = ImageService::new(profile.clone());
//! let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let mut scenario = Scenario::new(&profile).unwrap();
//! let alice = Account::new(AccountId::new("1111111111111111").unwrap(), 5, 10);
//! scenario.push(at, &Command::from(alice), service.state()).unwrap();
//! assert_eq!(
//!     scenario.to_jsonl(),
//!     "{\"Action\":\"Configure\",\"Provider\":\"alibaba\",\"QueueScope\":\"source\",\"MaxImageSizeGiB\":500}\n\
//!      {\"at\":\"2026-01-01T00:00:00Z\",\"Action\":\"SetAccount\",\"AccountId\":\"1111111111111111\",\"ImageQuota\":5,\"SnapshotQuota\":10,\"CrossBorderAllowed\":false,\"ByokAllowed\":false,\"SizeAllowed\":false,\"ExportEnabled\":false}\n"
//! );
//! ```

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

use crate::engine::{ApiCall, CancelCopyImage, Command, DeleteImage, Fixture, HostReport, State};
use crate::image::{ImageKind, ImageStatus};
use crate::profile::Profile;
use crate::provider::Provider;

use super::actions::{
    AlibabaCopyImage, AlibabaCreateImage, AlibabaExportImage, AlibabaImportImage,
    AlibabaModifyShare, CancelTask, Configure, CopyFailed, ExportFailed, FileDisk, ImageCall,
    ImportFailed, ModifyImageAttributeCall, SeedImage, SeedKmsKey, SeedSnapshot, SetAccount,
    SetBucket, SnapshotDisk, tag_objects,
};
use super::line::{Object, raw};
use super::param::{Param, Str};

/// A command the scenario format can't express.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Command, HostReport, ImageService};
/// use machine_image::replay::scenario::{command_line, RenderError};
/// use machine_image::{Profile, Provider, TaskId};
///
/// let service = ImageService::new(Profile::alibaba());
/// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// // A failure report naming a copy the state does not have:
/// let report = Command::from(HostReport::CopyFailed { task: TaskId(9), reason: "disk".into() });
/// let err = command_line(at, &report, Provider::Alibaba, service.state()).unwrap_err();
/// assert_eq!(err, RenderError::UnknownTask(TaskId(9)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The command or profile has no line form; the text says why.
    #[error("not expressible as a scenario line: {0}")]
    NotExpressible(String),
    /// A `CopyFailed` report names a task the state does not have.
    #[error("CopyFailed names unknown copy task {0}")]
    UnknownTask(crate::copy::TaskId),
}

fn not(what: impl Into<String>) -> RenderError {
    RenderError::NotExpressible(what.into())
}

/// An RFC 3339 time; a year outside 0000–9999 has none (the runner could not read it).
fn time(at: DateTime<Utc>) -> Result<String, RenderError> {
    if !(0..=9999).contains(&at.year()) {
        return Err(not(format!(
            "the time {at}: RFC 3339 years are 0000 to 9999"
        )));
    }
    Ok(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// A line being rendered: `at` (unless `Configure`), `Action`, then the parameters in their
/// declared order.
struct LineWriter<'a> {
    object: Object<'a>,
}

impl<'a> LineWriter<'a> {
    fn new(at: Option<&str>, action: &'a str) -> Self {
        let mut object = Object::default();
        if let Some(at) = at {
            object.push("at", raw(at));
        }
        object.push("Action", raw(action));
        LineWriter { object }
    }

    fn finish(self) -> String {
        // A `Object` of strings, numbers and lists serialises without fail.
        serde_json::to_string(&self.object).unwrap_or_default()
    }
}

/// Sets `CallerId` and `ClientToken` when the command has them.
fn caller_and_token<'a>(
    caller: &mut Param<Str<'a>>,
    token: &mut Param<Str<'a>>,
    c: &'a Option<crate::id::AccountId>,
    t: &'a Option<crate::id::ClientToken>,
) {
    if let Some(c) = c {
        caller.set_str(c.as_str());
    }
    if let Some(t) = t {
        token.set_str(t.as_str());
    }
}

/// A `DiskDeviceMapping` entry of `CreateImage` naming `snapshot`.
fn snapshot_disk(snapshot: &str) -> Object<'_> {
    let mut disk = SnapshotDisk::blank();
    disk.snapshot.set_str(snapshot);
    let mut object = Object::default();
    disk.write(&mut object);
    object
}

/// A `DiskDeviceMapping` entry of `ImportImage`: an OSS object (a URL is Tencent's form).
fn file_disk(d: &crate::import::ImportDisk) -> Result<Object<'_>, RenderError> {
    let crate::import::DiskSource::Oss { bucket, object } = &d.source else {
        return Err(not("an import from a URL (Tencent's form)"));
    };
    let mut disk = FileDisk::blank();
    disk.bucket.set_str(bucket.as_str());
    disk.object.set_str(object);
    disk.format.set_str(d.format.as_str());
    disk.size.set(d.size_gib);
    let mut entry = Object::default();
    disk.write(&mut entry);
    Ok(entry)
}

/// The `Configure` line for `profile`: provider, queue scope, size limit, and the regions
/// of its catalogue that don't support copies or BYOK. Refused when the profile differs
/// from the provider's built-in one in any other way (quotas, regions, the cross-border
/// rule), since `Configure` can't say so.
pub fn configure_line(profile: &Profile) -> Result<String, RenderError> {
    let base = Profile::for_provider(profile.provider);
    if profile.default_image_quota != base.default_image_quota
        || profile.default_snapshot_quota != base.default_snapshot_quota
        || profile.regions.cross_border_needs_allow_list
            != base.regions.cross_border_needs_allow_list
    {
        return Err(not("the profile's default quotas or cross-border rule"));
    }
    let ours: Vec<_> = profile.regions.catalogue.iter().collect();
    let theirs: Vec<_> = base.regions.catalogue.iter().collect();
    if ours.len() != theirs.len() {
        return Err(not("a region catalogue other than the built-in one"));
    }
    let mut no_copy = Vec::new();
    let mut no_byok = Vec::new();
    for (a, b) in ours.iter().zip(&theirs) {
        if a.id != b.id || a.name != b.name || a.geography != b.geography {
            return Err(not("a region catalogue other than the built-in one"));
        }
        if !a.copy_supported {
            no_copy.push(a.id.as_str());
        }
        if !a.byok_supported {
            no_byok.push(a.id.as_str());
        }
    }
    let mut line = Configure::blank();
    line.provider.set_str(profile.provider.as_str());
    line.queue_scope.set_str(match profile.queue_scope {
        crate::copy::QueueScope::Source => "source",
        crate::copy::QueueScope::Destination => "destination",
    });
    line.max_image_size.set(profile.max_image_size_gib);
    if !no_copy.is_empty() {
        line.no_copy.set_strs(&no_copy);
    }
    if !no_byok.is_empty() {
        line.no_byok.set_strs(&no_byok);
    }
    let mut w = LineWriter::new(None, "Configure");
    line.write(&mut w.object);
    Ok(w.finish())
}

/// The line for `command` at `at`. `state` is the engine's state before the command; it
/// is read only to find the destination of a `CopyFailed` report's task.
pub fn command_line(
    at: DateTime<Utc>,
    command: &Command,
    provider: Provider,
    state: &State,
) -> Result<String, RenderError> {
    let at_text = time(at)?;
    let api_call = |name: &str| {
        if provider == Provider::Alibaba {
            Ok(())
        } else {
            Err(not(format!(
                "{name} in the {provider} form (lines are in the Alibaba form)"
            )))
        }
    };
    let line = |action: &'static str| LineWriter::new(Some(&at_text), action);
    let task_text;
    let mut w;
    match command {
        Command::Fixture(Fixture::Account(a)) => {
            let mut p = SetAccount::blank();
            p.account.set_str(a.id.as_str());
            p.image_quota.set(a.image_quota.into());
            p.snapshot_quota.set(a.snapshot_quota.into());
            p.cross_border.set(a.cross_border_allowed);
            p.byok.set(a.byok_allowed);
            p.size.set(a.size_allowed);
            p.export.set(a.export_enabled);
            w = line("SetAccount");
            p.write(&mut w.object);
        }
        Command::Fixture(Fixture::Snapshot(s)) => {
            let created = time(s.created_at)?;
            let mut p = SeedSnapshot::blank();
            p.region.set_str(s.region.as_str());
            p.snapshot.set_str(s.id.as_str());
            p.owner.set_str(s.owner.as_str());
            p.created.set_str(&created);
            p.size.set(s.size_gib);
            p.encrypted.set(s.encrypted);
            if let Some(k) = &s.kms_key {
                p.kms_key.set_str(k.as_str());
            }
            if let Some(lineage) = s.lineage() {
                // `SourceImageId` names an image the state holds, whose lineage this is.
                let source = state
                    .image(lineage.image())
                    .filter(|i| &i.lineage() == lineage)
                    .ok_or_else(|| {
                        not(format!(
                            "snapshot {}: a lineage whose image the state does not hold",
                            s.id
                        ))
                    })?;
                p.source_image.set_str(source.id.as_str());
            }
            w = line("SeedSnapshot");
            p.write(&mut w.object);
        }
        Command::Fixture(Fixture::Image(i)) => {
            let expected_progress = if i.status == ImageStatus::Available {
                100
            } else {
                0
            };
            if !i.tags.is_empty()
                || i.copied_from.is_some()
                || i.ultimate_source != i.id
                || i.progress != expected_progress
                || i.created_at != at
            {
                return Err(not(format!(
                    "image {}: SeedImage sets no tags or lineage, progress follows the status and the creation time is the line's",
                    i.id
                )));
            }
            let mut p = SeedImage::blank();
            p.region.set_str(i.region.as_str());
            p.image.set_str(i.id.as_str());
            p.name.set_str(i.name.as_str());
            p.owner.set_str(i.owner.as_str());
            p.alias.set_str(match i.kind {
                ImageKind::Custom => "self",
                ImageKind::System => "system",
                ImageKind::Marketplace => "marketplace",
            });
            p.status.set_str(i.status.as_str());
            p.platform.set_str(<&str>::from(i.platform));
            p.snapshots.set_strs(&i.snapshots);
            p.size.set(i.size_gib);
            p.whole_machine.set(i.whole_machine);
            p.paid.set(i.paid);
            if !i.published_regions.is_empty() {
                p.published_regions.set_strs(&i.published_regions);
            }
            if let Some(d) = &i.description {
                p.description.set_str(d.as_str());
            }
            w = line("SeedImage");
            p.write(&mut w.object);
        }
        Command::Fixture(Fixture::KmsKey(k)) => {
            let mut p = SeedKmsKey::blank();
            p.region.set_str(k.region.as_str());
            p.key.set_str(k.id.as_str());
            p.owner.set_str(k.owner.as_str());
            p.authorized.set(k.authorized);
            w = line("SeedKmsKey");
            p.write(&mut w.object);
        }
        Command::Fixture(Fixture::Bucket(b)) => {
            let mut p = SetBucket::blank();
            p.bucket.set_str(b.name.as_str());
            p.region.set_str(b.region.as_str());
            p.owner.set_str(b.owner.as_str());
            w = line("SetBucket");
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::CreateImage(c)) => {
            api_call("CreateImage")?;
            if c.dry_run {
                return Err(not("a dry run of CreateImage (Tencent's form)"));
            }
            let mut p = AlibabaCreateImage::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.name.set_str(c.name.as_str());
            if let Some((system, data)) = c.snapshots.split_first() {
                p.snapshot.set_str(system.as_str());
                if !data.is_empty() {
                    p.disks
                        .set(data.iter().map(|s| snapshot_disk(s.as_str())).collect());
                }
            }
            if let Some(i) = &c.instance {
                p.instance.set_str(i.as_str());
            }
            if let Some(d) = &c.description {
                p.description.set_str(d.as_str());
            }
            p.platform.set_str(<&str>::from(c.platform));
            p.architecture.set_str(c.architecture.as_str());
            if !c.tags.is_empty() {
                p.tags.set(tag_objects(&c.tags));
            }
            w = line("CreateImage");
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::ModifyImageAttribute(c)) => {
            api_call("ModifyImageAttribute")?;
            let mut p = ModifyImageAttributeCall::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.image.set_str(c.image.as_str());
            if let Some(n) = &c.name {
                p.name.set_str(n.as_str());
            }
            if let Some(d) = &c.description {
                p.description.set_str(d.as_str());
            }
            w = line("ModifyImageAttribute");
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::DeleteImages(_)) => {
            return Err(not(
                "DeleteImages (Tencent's form; lines are in the Alibaba form)",
            ));
        }
        Command::Call(ApiCall::ImportImage(c)) => {
            api_call("ImportImage")?;
            if c.dry_run || c.os_version.is_some() {
                return Err(not(
                    "a dry run or an OsVersion of ImportImage (Tencent's form)",
                ));
            }
            let mut p = AlibabaImportImage::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.name.set_str(c.name.as_str());
            let disks = c
                .disks
                .iter()
                .map(file_disk)
                .collect::<Result<Vec<_>, _>>()?;
            p.disks.set(disks);
            if let Some(d) = &c.description {
                p.description.set_str(d.as_str());
            }
            p.os_type.set_str(match c.platform {
                crate::image::Platform::Linux => "linux",
                crate::image::Platform::Windows => "windows",
            });
            p.architecture.set_str(c.architecture.as_str());
            w = line("ImportImage");
            p.write(&mut w.object);
        }
        Command::Report(HostReport::ImportFailed { task, reason }) => {
            let t = state
                .import(*task)
                .ok_or_else(|| not(format!("ImportFailed names unknown import task {task}")))?;
            let mut p = ImportFailed::blank();
            p.image.set_str(t.image.as_str());
            p.reason.set_str(reason.as_str());
            w = line("ImportFailed");
            p.write(&mut w.object);
        }
        Command::Report(
            HostReport::ImportStarted(_)
            | HostReport::ImportProgress { .. }
            | HostReport::ImportFinished(_),
        ) => {
            return Err(not(
                "an import report the runner's simulator makes itself (started, progress, finished)",
            ));
        }
        Command::Call(ApiCall::CopyImage(c)) => {
            api_call("CopyImage")?;
            let [destination] = c.destination_regions.as_slice() else {
                return Err(not("a copy to other than exactly one region (SyncImages)"));
            };
            if c.dry_run {
                return Err(not("a dry run (SyncImages)"));
            }
            let mut p = AlibabaCopyImage::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.image.set_str(c.image.as_str());
            p.destination.set_str(destination.as_str());
            if let Some(n) = &c.name {
                p.name.set_str(n.as_str());
            }
            if let Some(d) = &c.description {
                p.description.set_str(d.as_str());
            }
            if c.encrypted {
                p.encrypted.set(true);
            }
            if let Some(k) = &c.kms_key {
                p.kms_key.set_str(k.as_str());
            }
            if !c.tags.is_empty() {
                p.tags.set(tag_objects(&c.tags));
            }
            w = line("CopyImage");
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::CancelCopyImage(CancelCopyImage {
            caller,
            client_token,
            region,
            image,
        }))
        | Command::Call(ApiCall::DeleteImage(DeleteImage {
            caller,
            client_token,
            region,
            image,
        })) => {
            let action = if matches!(command, Command::Call(ApiCall::CancelCopyImage(_))) {
                "CancelCopyImage"
            } else {
                "DeleteImage"
            };
            api_call(action)?;
            let mut p = ImageCall::blank();
            caller_and_token(&mut p.caller, &mut p.client_token, caller, client_token);
            p.region.set_str(region.as_str());
            p.image.set_str(image.as_str());
            w = line(action);
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::ModifyImageSharePermission(c)) => {
            api_call("ModifyImageSharePermission")?;
            let mut p = AlibabaModifyShare::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.image.set_str(c.image.as_str());
            if !c.add.is_empty() {
                p.add.set_strs(&c.add);
            }
            if !c.remove.is_empty() {
                p.remove.set_strs(&c.remove);
            }
            w = line("ModifyImageSharePermission");
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::ExportImage(c)) => {
            api_call("ExportImage")?;
            if c.dry_run {
                return Err(not("a dry run (ExportImages)"));
            }
            if c.request.scope != crate::export::ExportScope::WholeMachine {
                return Err(not("a system-disk-only export (ExportImages)"));
            }
            let mut p = AlibabaExportImage::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.image.set_str(c.request.image.as_str());
            p.bucket.set_str(c.request.bucket.as_str());
            p.prefix.set_str(c.request.prefix.as_str());
            p.format
                .set_str(c.request.format.as_str_for(Provider::Alibaba));
            w = line("ExportImage");
            p.write(&mut w.object);
        }
        Command::Call(ApiCall::CancelExport(c)) => {
            api_call("CancelTask")?;
            task_text = format!("t-{:08}", c.task.0);
            let mut p = CancelTask::blank();
            caller_and_token(
                &mut p.caller,
                &mut p.client_token,
                &c.caller,
                &c.client_token,
            );
            p.region.set_str(c.region.as_str());
            p.task
                .set(super::param::TaskRef::Text(task_text.as_str().into()));
            w = line("CancelTask");
            p.write(&mut w.object);
        }
        Command::Report(HostReport::CopyFailed { task, reason }) => {
            let t = state.task(*task).ok_or(RenderError::UnknownTask(*task))?;
            let mut p = CopyFailed::blank();
            p.region.set_str(t.destination_region.as_str());
            p.image.set_str(t.destination_image.as_str());
            p.reason.set_str(reason.as_str());
            w = line("CopyFailed");
            p.write(&mut w.object);
        }
        Command::Report(HostReport::ExportFailed { task, reason }) => {
            api_call("ExportFailed")?;
            task_text = format!("t-{:08}", task.0);
            let mut p = ExportFailed::blank();
            p.task
                .set(super::param::TaskRef::Text(task_text.as_str().into()));
            p.reason.set_str(reason.as_str());
            w = line("ExportFailed");
            p.write(&mut w.object);
        }
        Command::Report(
            HostReport::CopyStarted(_)
            | HostReport::CopyProgress { .. }
            | HostReport::CopyFinished(_),
        ) => {
            return Err(not(
                "a host report the runner's simulator makes itself (started, progress, finished)",
            ));
        }
        Command::Report(
            HostReport::ExportStarted(_)
            | HostReport::ExportProgress { .. }
            | HostReport::ExportFinished(_),
        ) => {
            return Err(not(
                "an export report the runner's simulator makes itself (started, progress, finished)",
            ));
        }
    }
    Ok(w.finish())
}

/// A scenario being written: the `Configure` line, then one line per command.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use machine_image::engine::{Command, HostReport, ImageService};
/// use machine_image::replay::scenario::{RenderError, Scenario};
/// use machine_image::{Account, AccountId, Profile, TaskId};
///
/// let profile = Profile::tencent();
/// let mut service = ImageService::new(profile.clone());
/// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut scenario = Scenario::new(&profile)?;
/// let account: Command = Account::new(AccountId::new("100000000001")?, 5, 10).into();
/// scenario.push(at, &account, service.state())?; // the state before the command
/// service.handle(at, account)?;
/// assert_eq!(scenario.lines().len(), 2); // `Configure`, then the command
/// assert!(scenario.to_jsonl().starts_with(r#"{"Action":"Configure","Provider":"tencent""#));
/// // The runner's simulator reports copies itself: no line for that.
/// let report = Command::from(HostReport::CopyFinished(TaskId(1)));
/// assert!(matches!(scenario.push(at, &report, service.state()), Err(RenderError::NotExpressible(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scenario {
    provider: Provider,
    lines: Vec<String>,
}

impl Scenario {
    /// A scenario under `profile`, starting with its `Configure` line.
    pub fn new(profile: &Profile) -> Result<Self, RenderError> {
        Ok(Scenario {
            provider: profile.provider,
            lines: vec![configure_line(profile)?],
        })
    }

    /// Appends the line of `command` at `at` (`state`: the engine's state before it).
    pub fn push(
        &mut self,
        at: DateTime<Utc>,
        command: &Command,
        state: &State,
    ) -> Result<(), RenderError> {
        self.lines
            .push(command_line(at, command, self.provider, state)?);
        Ok(())
    }

    /// The lines so far, `Configure` first.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The scenario as JSON Lines text, one line per command, each ending in `\n`.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{CopyImage, ImageService, Outcome};
    use crate::replay::{Runner, is_skipped};
    use crate::{
        Account, AccountId, Image, ImageId, ImageName, RegionId, Snapshot, SnapshotId, Tags,
    };
    use chrono::{Duration, TimeZone};

    fn at(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(m)
    }

    #[test]
    fn a_time_the_runner_could_not_read_is_not_expressible() {
        let profile = Profile::alibaba();
        let service = ImageService::new(profile.clone());
        let mut scenario = Scenario::new(&profile).unwrap();
        let account = Command::from(crate::account::Account::new(
            AccountId::new("1111111111111111").unwrap(),
            5,
            5,
        ));
        for far in [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC] {
            let e = scenario.push(far, &account, service.state()).unwrap_err();
            assert!(matches!(e, RenderError::NotExpressible(_)), "{e:?}");
        }
        assert!(scenario.push(at(0), &account, service.state()).is_ok());
    }

    #[test]
    fn a_rendered_sequence_replays_to_the_same_answers_and_state() {
        let profile = Profile::alibaba();
        let mut service = ImageService::new(profile.clone());
        let mut scenario = Scenario::new(&profile).unwrap();
        let owner = AccountId::new("1111111111111111").unwrap();
        let hz = RegionId::new("cn-hangzhou").unwrap();
        let snap = SnapshotId::new("s-sys1").unwrap();
        let src = ImageId::new("m-source1").unwrap();
        let copy = |dest: &str| {
            Command::from(CopyImage {
                caller: Some(owner.clone()),
                client_token: None,
                region: hz.clone(),
                image: src.clone(),
                destination_regions: vec![RegionId::new(dest).unwrap()],
                name: None,
                description: None,
                encrypted: false,
                kms_key: None,
                tags: Tags::empty(),
                dry_run: false,
            })
        };
        let commands = vec![
            (at(0), Command::from(Account::new(owner.clone(), 5, 10))),
            (
                at(0),
                Command::from(Snapshot::new(
                    snap.clone(),
                    hz.clone(),
                    owner.clone(),
                    at(-60),
                    40,
                )),
            ),
            (
                at(0),
                Command::from(
                    Image::custom(
                        src.clone(),
                        hz.clone(),
                        owner.clone(),
                        ImageName::new("web").unwrap(),
                        vec![snap.clone()],
                    )
                    .size_gib(40)
                    .created_at(at(0))
                    .build()
                    .unwrap(),
                ),
            ),
            (at(1), copy("cn-shanghai")),
            (at(1), copy("cn-hangzhou")),
            (at(1), copy("cn-beijing")),
        ];
        let mut expected = Vec::new();
        let mut sim = crate::Simulator::from_service(service.clone());
        for (t, c) in &commands {
            scenario.push(*t, c, sim.service().state()).unwrap();
            expected.push(sim.handle(*t, c.clone()));
        }
        // A failure report for the queued copy to cn-beijing, once it runs.
        let Ok(Outcome::CopyAccepted { copies }) = expected[5].clone() else {
            panic!("{:?}", expected[5]);
        };
        sim.advance_to(at(20)).unwrap();
        let fail = Command::from(HostReport::CopyFailed {
            task: copies[0].task,
            reason: "disk".into(),
        });
        scenario.push(at(20), &fail, sim.service().state()).unwrap();
        expected.push(sim.handle(at(20), fail));
        service = sim.into_service();

        let text = scenario.to_jsonl();
        let mut runner = Runner::new();
        let mut answers = Vec::new();
        for (i, line) in text.lines().enumerate() {
            assert!(!is_skipped(line));
            answers.push(runner.answer(i as u64 + 1, line));
        }
        assert_eq!(answers.len(), expected.len() + 1);
        for (answer, expected) in answers[1..].iter().zip(&expected) {
            let code = answer.code();
            match expected {
                Ok(_) => assert_eq!(code, None, "{answer:?}"),
                Err(e) => assert_eq!(
                    code,
                    Some(crate::replay::wire_error(e).code().as_str()),
                    "{answer:?}"
                ),
            }
        }
        assert_eq!(runner.simulator().service(), &service);
        assert!(matches!(
            command_line(
                at(0),
                &HostReport::CopyFinished(copies[0].task).into(),
                Provider::Alibaba,
                service.state()
            ),
            Err(RenderError::NotExpressible(_))
        ));
    }
}
