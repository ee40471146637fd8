//! The image calls: Alibaba `CopyImage`, `CancelCopyImage`, `DeleteImage`, Tencent
//! `SyncImages`, and both providers' `ModifyImageSharePermission` and `DescribeImages`.

use chrono::{DateTime, Utc};

use crate::engine::{
    CancelCopyImage, Command, CopyImage, DeleteImage, ImageFilter, ModifyImageSharePermission,
    Outcome,
};
use crate::error::TencentCode;
use crate::error::{ErrorCode, Parameter};
use crate::image::{ImageStatus, OwnerAlias};
use crate::name::{Description, ImageName};
use crate::provider::Provider;
use crate::region::RegionId;
use crate::response::{alibaba, tencent};
use crate::tag::Tags;

use super::super::param::{Objects, Param, Str, Strs, params};
use super::super::{Reply, Runner, render};
use super::Respond;
use super::common::{
    Read, accounts, call_region, client_token, image_id, kms_key, region, require_caller, tags,
};

params! {
    /// Alibaba `CopyImage`: one image to one region.
    pub(crate) struct AlibabaCopyImage<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "DestinationRegionId" => destination: Str<'a>,
        "DestinationImageName" => name: Str<'a>,
        "DestinationDescription" => description: Str<'a>,
        "Encrypted" => encrypted: bool,
        "KMSKeyId" => kms_key: Str<'a>,
        "Tag" => tags: Objects<'a>,
    }
}

impl AlibabaCopyImage<'_> {
    fn command(&self) -> Read<CopyImage> {
        let caller = Some(require_caller(&self.caller)?);
        let name = self
            .name
            .str_opt()?
            .filter(|s| !s.is_empty())
            .map(|s| ImageName::new(s).map_err(|e| e.to_api_error(Parameter::DestinationImageName)))
            .transpose()?;
        let description = self
            .description
            .str_opt()?
            .filter(|s| !s.is_empty())
            .map(|s| {
                Description::new(s).map_err(|e| e.to_api_error(Parameter::DestinationDescription))
            })
            .transpose()?;
        let tags = tags(&self.tags)?;
        let encrypted = self.encrypted.or(false)?;
        let kms_key = kms_key(&self.kms_key)?;
        let source = region(&self.region, ErrorCode::SourceRegionNotFound)?;
        let destination = region(&self.destination, ErrorCode::DestinationRegionNotFound)?;
        Ok(CopyImage {
            caller,
            client_token: client_token(&self.client_token)?,
            region: source,
            image: image_id(self.image.str_req()?)?,
            destination_regions: vec![destination],
            name,
            description,
            encrypted,
            kms_key,
            tags,
            dry_run: false,
        })
    }
}

impl Respond for AlibabaCopyImage<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        match runner.run(at, self.command()?.into())? {
            Outcome::CopyAccepted { copies } => Ok(copies
                .into_iter()
                .next()
                .map_or(Reply::Plain, |c| Reply::CopiedTo(c.image))),
            _ => Ok(Reply::Plain),
        }
    }
}

params! {
    /// Alibaba `CancelCopyImage` and `DeleteImage`: one image of the caller.
    pub(crate) struct ImageCall<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
    }
}

/// Alibaba `CancelCopyImage`.
pub(crate) struct CancelCopy<'a>(pub(crate) ImageCall<'a>);

/// Alibaba `DeleteImage`.
pub(crate) struct Delete<'a>(pub(crate) ImageCall<'a>);

impl ImageCall<'_> {
    fn run(&self, runner: &mut Runner, at: DateTime<Utc>, cancel: bool) -> Read<Reply> {
        let caller = Some(require_caller(&self.caller)?);
        let client_token = client_token(&self.client_token)?;
        let region = call_region(&self.region)?;
        let image = image_id(self.image.str_req()?)?;
        let command: Command = if cancel {
            CancelCopyImage {
                caller,
                client_token,
                region,
                image,
            }
            .into()
        } else {
            DeleteImage {
                caller,
                client_token,
                region,
                image,
            }
            .into()
        };
        runner.run(at, command)?;
        Ok(Reply::Plain)
    }
}

impl Respond for CancelCopy<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        self.0.run(runner, at, true)
    }
}

impl Respond for Delete<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        self.0.run(runner, at, false)
    }
}

params! {
    /// Alibaba `ModifyImageSharePermission`: accounts to add and to remove.
    pub(crate) struct AlibabaModifyShare<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "AddAccount" => add: Strs<'a>,
        "RemoveAccount" => remove: Strs<'a>,
    }
}

impl Respond for AlibabaModifyShare<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let (add, remove) = (accounts(&self.add)?, accounts(&self.remove)?);
        let shares = Shares {
            caller,
            add,
            remove,
        };
        shares.run(runner, at, &self.client_token, &self.region, &self.image)
    }
}

/// A share change read from either form: who asks, the accounts to add and to remove.
struct Shares {
    caller: crate::id::AccountId,
    add: Vec<crate::id::AccountId>,
    remove: Vec<crate::id::AccountId>,
}

impl Shares {
    /// Reads the parameters both forms share (in the order both check them) and runs the
    /// change.
    fn run(
        self,
        runner: &mut Runner,
        at: DateTime<Utc>,
        token: &Param<Str<'_>>,
        region: &Param<Str<'_>>,
        image: &Param<Str<'_>>,
    ) -> Read<Reply> {
        let call = ModifyImageSharePermission {
            caller: Some(self.caller),
            client_token: client_token(token)?,
            region: call_region(region)?,
            image: image_id(image.str_req()?)?,
            add: self.add,
            remove: self.remove,
        };
        runner.run(at, call.into())?;
        Ok(Reply::Plain)
    }
}

params! {
    /// Tencent `ModifyImageSharePermission`: accounts, and `SHARE` or `CANCEL`.
    pub(crate) struct TencentModifyShare<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "Region" => region: Str<'a>,
        "ImageId" => image: Str<'a>,
        "AccountIds" => accounts: Strs<'a>,
        "Permission" => permission: Str<'a>,
    }
}

impl Respond for TencentModifyShare<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let ids = accounts(&self.accounts)?;
        if ids.is_empty() {
            return Err(self.accounts.missing());
        }
        let (add, remove) = match self.permission.str_req()? {
            "SHARE" => (ids, Vec::new()),
            "CANCEL" => (Vec::new(), ids),
            other => {
                return Err(self
                    .permission
                    .invalid(&format!("{other:?} is not SHARE or CANCEL")));
            }
        };
        let shares = Shares {
            caller,
            add,
            remove,
        };
        shares.run(runner, at, &self.client_token, &self.region, &self.image)
    }
}

params! {
    /// Tencent `SyncImages`: one image to one or more regions.
    pub(crate) struct SyncImages<'a> {
        "CallerId" => caller: Str<'a>,
        "ClientToken" => client_token: Str<'a>,
        "Region" => region: Str<'a>,
        "ImageIds" => images: Strs<'a>,
        "DestinationRegions" => destinations: Strs<'a>,
        "DryRun" => dry_run: bool,
        "ImageName" => name: Str<'a>,
        "ImageSetRequired" => image_set: bool,
        "Encrypt" => encrypted: bool,
        "KmsKeyId" => kms_key: Str<'a>,
    }
}

impl SyncImages<'_> {
    fn command(&self) -> Read<CopyImage> {
        let caller = Some(require_caller(&self.caller)?);
        let name = self
            .name
            .str_opt()?
            .filter(|s| !s.is_empty())
            .map(|s| {
                ImageName::parse_for(Provider::Tencent, s)
                    .map_err(|e| e.to_api_error(Parameter::DestinationImageName))
            })
            .transpose()?;
        let encrypted = self.encrypted.or(false)?;
        let kms_key = kms_key(&self.kms_key)?;
        let source = region(&self.region, ErrorCode::SourceRegionNotFound)?;
        let image = match self.images.strs()?.as_slice() {
            [] => return Err(self.images.missing()),
            [one] => image_id(one)?,
            _ => {
                return Err(self
                    .images
                    .invalid("SyncImages takes one image per call")
                    .with_tencent(TencentCode::InvalidParameterValueLimitExceeded));
            }
        };
        let destinations = self.destinations.strs()?;
        if destinations.is_empty() {
            return Err(self.destinations.missing());
        }
        let destination_regions = destinations
            .into_iter()
            .map(|s| RegionId::new(s).map_err(|_| ErrorCode::DestinationRegionNotFound.into()))
            .collect::<Read<Vec<_>>>()?;
        Ok(CopyImage {
            caller,
            client_token: client_token(&self.client_token)?,
            region: source,
            image,
            destination_regions,
            name,
            description: None,
            encrypted,
            kms_key,
            tags: Tags::empty(),
            dry_run: self.dry_run.or(false)?,
        })
    }
}

impl Respond for SyncImages<'_> {
    fn respond(&self, runner: &mut Runner, at: DateTime<Utc>) -> Read<Reply> {
        let command = self.command()?;
        let image_set = self.image_set.or(false)?;
        Ok(match runner.run(at, command.into())? {
            Outcome::CopyAccepted { copies } => Reply::Synced(
                image_set.then(|| copies.into_iter().map(|c| (c.image, c.region)).collect()),
            ),
            _ => Reply::Plain,
        })
    }
}

params! {
    /// Alibaba `DescribeImages`: the images the caller sees in a region.
    pub(crate) struct AlibabaDescribeImages<'a> {
        "CallerId" => caller: Str<'a>,
        "RegionId" => region: Str<'a>,
        "ImageId" => images: Strs<'a>,
        "Status" => statuses: Strs<'a>,
        "ImageOwnerAlias" => aliases: Strs<'a>,
    }
}

impl Respond for AlibabaDescribeImages<'_> {
    fn respond(&self, runner: &mut Runner, _: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = runner.known_region(&self.region)?;
        // A malformed id is one that does not exist: Alibaba lists nothing for it, as for
        // any unknown id.
        let ids = self.images.list_opt()?.map(|ids| {
            ids.into_iter()
                .filter_map(|s| crate::id::ImageId::new(s).ok())
                .collect()
        });
        let statuses = self
            .statuses
            .list_opt()?
            .map(|items| {
                items
                    .into_iter()
                    .map(|s| {
                        s.parse::<ImageStatus>().map_err(|_| {
                            self.statuses
                                .invalid(&format!("{s:?} is not an image status"))
                        })
                    })
                    .collect::<Read<Vec<_>>>()
            })
            .transpose()?;
        let owner_aliases = self
            .aliases
            .list_opt()?
            .map(|items| {
                items
                    .into_iter()
                    .map(|s| {
                        s.parse::<OwnerAlias>().map_err(|_| {
                            self.aliases.invalid(&format!(
                                "{s:?} is not self, others, system or marketplace"
                            ))
                        })
                    })
                    .collect::<Read<Vec<_>>>()
            })
            .transpose()?;
        let filter = ImageFilter {
            region: Some(region),
            ids,
            statuses,
            owner_aliases,
        };
        let views = runner.service().describe_images(&caller, &filter);
        let request = runner.request();
        Ok(render::json(&alibaba::DescribeImagesResponse::new(
            &request, &views,
        )))
    }
}

params! {
    /// Tencent `DescribeImages`: the images the caller sees in a region, every state.
    pub(crate) struct TencentDescribeImages<'a> {
        "CallerId" => caller: Str<'a>,
        "Region" => region: Str<'a>,
        "ImageIds" => images: Strs<'a>,
    }
}

impl Respond for TencentDescribeImages<'_> {
    fn respond(&self, runner: &mut Runner, _: DateTime<Utc>) -> Read<Reply> {
        let caller = require_caller(&self.caller)?;
        let region = runner.known_region(&self.region)?;
        // Tencent refuses a malformed id (`InvalidImageId.Malformed`), as `SyncImages` does.
        let ids = self
            .images
            .list_opt()?
            .map(|ids| ids.into_iter().map(image_id).collect::<Read<Vec<_>>>())
            .transpose()?;
        // Tencent lists every state by default: the engine's default under its profile.
        let filter = ImageFilter {
            region: Some(region),
            ids,
            statuses: None,
            owner_aliases: None,
        };
        let views = runner.service().describe_images(&caller, &filter);
        let request = runner.request();
        Ok(render::json(&tencent::Envelope::new(
            tencent::DescribeImagesResponse::new(&request, &views),
        )))
    }
}
