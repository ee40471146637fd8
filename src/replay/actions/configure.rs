//! `Configure`: the first line may choose the provider and the profile's settings.

use crate::profile::Profile;
use crate::provider::{Provider, UnknownProvider};

use super::super::param::{Str, Strs, params};
use super::common::Read;

params! {
    /// `Configure`: `Provider` (`alibaba`, `tencent`), `QueueScope` (`source`,
    /// `destination`), `MaxImageSizeGiB`, and the regions without copies or BYOK.
    pub(crate) struct Configure<'a> {
        "Provider" => provider: Str<'a>,
        "QueueScope" => queue_scope: Str<'a>,
        "MaxImageSizeGiB" => max_image_size: u64,
        "CopyUnsupportedRegions" => no_copy: Strs<'a>,
        "ByokUnsupportedRegions" => no_byok: Strs<'a>,
    }
}

impl Configure<'_> {
    /// The profile the line sets up.
    pub(crate) fn profile(&self) -> Read<Profile> {
        let provider: Provider = match self.provider.str_opt()? {
            None => Provider::Alibaba,
            Some(p) => p
                .parse()
                .map_err(|e: UnknownProvider| self.provider.invalid(&e.to_string()))?,
        };
        let mut profile = Profile::for_provider(provider);
        if let Some(scope) = self.queue_scope.str_opt()? {
            profile.queue_scope = scope
                .parse()
                .map_err(|e: String| self.queue_scope.invalid(&e))?;
        }
        if let Some(max) = self.max_image_size.u64_opt()? {
            profile.max_image_size_gib = max;
        }
        for (param, copy) in [(&self.no_copy, true), (&self.no_byok, false)] {
            for id in param.strs()? {
                let region =
                    profile.regions.catalogue.get_mut(id).ok_or_else(|| {
                        param.invalid(&format!("{id:?} is not a {provider} region"))
                    })?;
                if copy {
                    region.copy_supported = false;
                } else {
                    region.byok_supported = false;
                }
            }
        }
        Ok(profile)
    }
}
