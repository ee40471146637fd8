//! What a plan keeps of an image: the facts its charges depend on.

use serde::{Deserialize, Serialize};

use crate::id::ImageId;
use crate::image::{Image, Platform};
use crate::region::RegionId;

/// An image in a plan ([`CopyPlan`](super::CopyPlan), [`UsagePlan`](super::UsagePlan)):
/// what its charges depend on.
///
/// ```
/// # use machine_image::{AccountId, Image, ImageId, ImageName, RegionId};
/// # let owner = AccountId::new("1234567890123456")?;
/// # let web = Image::custom(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, owner, ImageName::new("web")?, vec![])
/// #     .size_gib(40)
/// #     .build()?;
/// use machine_image::charges::PlannedImage;
/// // `web`: a 40 GiB custom image, not paid (hidden above).
/// let planned = PlannedImage::from(&web);
/// assert_eq!((planned.size_gib, planned.paid), (40, false));
/// assert_eq!(&planned.ultimate_source, web.id()); // an original is its own source
/// assert_eq!(planned.region.as_str(), "cn-hangzhou");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedImage {
    /// The image.
    pub image: ImageId,
    /// Its region.
    pub region: RegionId,
    /// Its platform (a public Windows image is billed outside mainland China).
    pub platform: Platform,
    /// Its size in GiB (its snapshots').
    pub size_gib: u64,
    /// Whether its ultimate source is paid.
    pub paid: bool,
    /// Its ultimate source.
    pub ultimate_source: ImageId,
}

impl PlannedImage {
    /// A Linux image of `size_gib` in `region`, free, its own ultimate source; see
    /// [`platform`](Self::platform) and [`paid_source`](Self::paid_source).
    ///
    /// ```
    /// use machine_image::charges::PlannedImage;
    /// use machine_image::{ImageId, Platform, RegionId};
    ///
    /// let paid = ImageId::new("m-paid0001")?;
    /// let image = PlannedImage::new(ImageId::new("m-web0001")?, RegionId::new("cn-hangzhou")?, 40)
    ///     .platform(Platform::Windows)
    ///     .paid_source(paid.clone());
    /// assert_eq!((image.platform, image.paid, image.ultimate_source), (Platform::Windows, true, paid));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(image: ImageId, region: RegionId, size_gib: u64) -> Self {
        PlannedImage {
            ultimate_source: image.clone(),
            image,
            region,
            platform: Platform::Linux,
            size_gib,
            paid: false,
        }
    }

    /// The image's platform.
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// The image's ultimate source is `source`, a paid image (the image itself when it is
    /// the paid one).
    pub fn paid_source(mut self, source: ImageId) -> Self {
        self.paid = true;
        self.ultimate_source = source;
        self
    }
}

impl From<&Image> for PlannedImage {
    fn from(image: &Image) -> Self {
        PlannedImage {
            image: image.id.clone(),
            region: image.region.clone(),
            platform: image.platform,
            size_gib: image.size_gib,
            paid: image.paid,
            ultimate_source: image.ultimate_source.clone(),
        }
    }
}
