//! The provider documents this crate models: "seed 000" to "seed 004".
//!
//! Throughout these docs a rule is cited by the number of the document it comes from, as in
//! "[seed 004](crate::sources#seed-004)". The five documents are copies of public provider
//! documentation taken at one moment; they are the source of truth for limits, error codes,
//! HTTP statuses and messages. Codes and messages are quoted from them exactly, including the
//! providers' own misspellings (`Forbbiden`, `OperationDeined.EncryptedSnapshot`, "The Image
//! are coping."). Where a rule is quoted in Japanese or Chinese, an English translation stands
//! beside it; the quote, not the translation, is authoritative.
//!
//! | Seed | Provider | Language | Covers | Used by |
//! |---|---|---|---|---|
//! | [000](#seed-000) | Tencent Cloud CVM | Japanese | copying images (cross-region, shared same-region) | [`region`](crate::region), [`engine`](crate::engine), [`account`](crate::account), [`provider`](crate::provider), [`sim`](crate::sim), [`charges`](crate::charges) |
//! | [001](#seed-001) | Tencent Cloud CVM | Japanese | what an image is, image types, billing, lifecycle | [`image`](crate::image), [`snapshot`](crate::snapshot) (lineage), [`import`](crate::import), [`charges`](crate::charges), [`engine`](crate::engine) |
//! | [002](#seed-002) | Tencent Cloud CVM | Japanese | exporting a custom image to a COS bucket | [`export`](crate::export), [`account`](crate::account), [`charges`](crate::charges), [`sim`](crate::sim) |
//! | [003](#seed-003) | Alibaba Cloud ECS | Chinese (older revision) | the `CopyImage` API: parameters, response, error codes | [`error`](crate::error), [`name`](crate::name), [`tag`](crate::tag), [`snapshot`](crate::snapshot), [`engine`](crate::engine) |
//! | [004](#seed-004) | Alibaba Cloud ECS | Chinese (newer revision) | the `CopyImage` API, adding KMS keys and the per-region copy queue | [`error`](crate::error), [`kms`](crate::kms), [`copy`](crate::copy), [`engine`](crate::engine), [`name`](crate::name) |
//!
//! Where the two Alibaba revisions differ, the newer one ([seed 004](#seed-004)) stands;
//! what the older one adds (the `Tag.N.Key` / `Tag.N.Value` parameters) stays.
//!
//! The providers have revised some of these pages since the seeds were taken (see "Later
//! revisions" under [seed 002](#seed-002) and [seed 004](#seed-004)). The crate follows the seeds,
//! not the live pages.
//!
//! # Seed 000
//! **Tencent Cloud CVM, Japanese.** First heading: "コピーの概要" (Overview of copying); the
//! page is Tencent Cloud's image-copy guide ("イメージのコピー", copying images).
//!
//! - **Public URL:** not found. The document links its API to
//!   <https://intl.cloud.tencent.com/document/product/213/33267> (`SyncImages`).
//! - **Covers:** the two copy features, "カスタムイメージ - クロスリージョンレプリケーション"
//!   (custom image, cross-region replication) and "共有イメージ - 同一リージョンレプリケーション"
//!   (shared image, same-region replication, into a custom image with no special
//!   restrictions); the region restriction ("リージョン制限"): copies within mainland China
//!   and within other countries and regions are supported, a copy between the two needs a
//!   ticket;
//!   "イメージコピーの機能自体は、無料で使うことができますが、コピーされたカスタムイメージを保持するために一定のスナップショット料金が発生します"
//!   (the copy feature itself is free, but keeping the copied custom image incurs some
//!   snapshot fees); "イメージのコピーは10分から30分かかります" (a copy takes 10 to 30 minutes);
//!   "イメージ全体は現在、クロスリージョンレプリケーションをサポートしていません" (whole images do not
//!   currently support cross-region replication); a copy appears in the destination with "同じ名前で異なるID" (the same name
//!   and a different ID); the API is `SyncImages`.
//! - **What the crate takes:** the mainland-China / elsewhere copy policy and its allow-list
//!   ([`region`](crate::region), [`account`](crate::account)); whole-machine images stay in
//!   their region on Tencent ([`provider`](crate::provider), [`engine`](crate::engine)); a
//!   shared image's same-region copy into the caller's own custom image ([`engine`](crate::engine));
//!   the 10–30 minute copy duration ([`sim`](crate::sim)); copy charges
//!   ([`charges`](crate::charges)).
//!
//! # Seed 001
//! **Tencent Cloud CVM, Japanese.** First heading: "イメージとは" (What is an image?); the
//! page is Tencent Cloud's image overview.
//!
//! - **Public URL:** <https://intl.cloud.tencent.com/document/product/213/4940> (the English
//!   edition of the overview; the Japanese edition was not found). The document links its
//!   image types to <https://intl.cloud.tencent.com/document/product/213/4941>.
//! - **Covers:** image types: "パブリックイメージ" (public images), "カスタマイズイメージ"
//!   (custom images: usable only by the creator and those it is shared with; made from a
//!   running instance or imported), "共有イメージ" (shared images: shared by another user,
//!   usable only to create instances); billing per type ("イメージ課金", image billing):
//!   Windows public images outside mainland China are billed by instance specification, other
//!   public images are free, a custom image incurs snapshot fees while kept and image fees when
//!   its "最終ソース" (ultimate source) is a paid image, and so does a shared image; uses; the
//!   custom image lifecycle (created or imported, launched, copied to another region of the
//!   same account as an independent image, shared with other users).
//! - **What the crate takes:** the image types and the lineage (`paid`, `ultimate_source`)
//!   ([`image`](crate::image)); what each image type bills ([`charges`](crate::charges)); copies
//!   as independent images of the same account ([`engine`](crate::engine)).
//!
//! # Seed 002
//! **Tencent Cloud CVM, Japanese.** No title line; first heading "操作シナリオ" (Scenario).
//! The page is Tencent Cloud's guide to exporting a custom image ("イメージのエクスポート",
//! exporting images) to a COS bucket.
//!
//! - **Public URL:** <https://tencentcloud.com/jp/document/product/213/46841> (Japanese, a
//!   later revision; see below). The matching API reference is `ExportImages`,
//!   <https://tencentcloud.com/document/product/213/47833>.
//! - **Covers:** prerequisites: "現在、この機能を使用するには申請が必要です" (this feature currently
//!   requires an application), COS activated, and a bucket created in the custom image's region;
//!   notes: "現時点ではWindowsカスタムイメージのエクスポートはサポートしていません" (exporting
//!   Windows custom images is not supported at present), each system or data disk at most
//!   "500GB以下" (500 GB or less), a whole-machine export with "データディスクは5個以下" (5 data
//!   disks or fewer); storage, request and traffic charges for export and download; the
//!   exported file is named "`カスタムプレフィックス名_xvda.raw`" (custom prefix name, then
//!   `_xvda.raw`).
//! - **What the crate takes:** the export rules, their order and the object names
//!   ([`export`](crate::export)); the export allow-list ([`account`](crate::account)); export and
//!   download charges ([`charges`](crate::charges)); the export duration ([`sim`](crate::sim)).
//! - **Later revisions:** the live page no longer lists the application as a prerequisite and
//!   says "Windows イメージなどの商用イメージ" (commercial images such as Windows images) cannot be
//!   exported.
//!
//! # Seed 003
//! **Alibaba Cloud ECS, Chinese, the older revision.** Title: "CopyImage"; first sentence
//! "调用CopyImage复制一个地域下的自定义镜像到其他地域。" (Call CopyImage to copy a custom image in
//! one region to another region.)
//!
//! - **Public URL:** <https://help.aliyun.com/document_detail/25538.html> (the `CopyImage`
//!   reference on help.aliyun.com, today's revision; the seed's own cross-references, DeleteImage
//!   `25537` and CancelCopyImage `25539`, are its neighbours).
//! - **Covers:** usage notes: "自定义镜像的状态必须为可用（`Available`）" (the custom image must be
//!   available), "被复制的自定义镜像必须为您账号下的镜像，不能跨账号复制" (the image copied must be in
//!   your account; no copying across accounts), "复制镜像的过程中无法删除镜像…但是您可以取消复制任务"
//!   (the image can't be deleted while it is being copied, but you can cancel the copy task);
//!   request parameters `ImageId`, `RegionId`, `DestinationRegionId`, `DestinationImageName`
//!   (2 to 128 characters, starting with a letter or a Chinese character, not with `http://` or
//!   `https://`), `DestinationDescription` (2 to 256 characters, not starting with `http://` or
//!   `https://`), `Encrypted`, `Tag.N.Key` and `Tag.N.Value`; the response (`ImageId`,
//!   `RequestId`); the full error-code table with HTTP statuses and English messages.
//! - **What the crate takes:** the error codes, statuses and messages
//!   ([`error`](crate::error), `SEED_CATALOGUE`); the name and description rules
//!   ([`name`](crate::name)); tags ([`tag`](crate::tag)); the snapshot-age rule
//!   (`InvalidSnapshot.TooOld`, 2013-07-15; [`snapshot`](crate::snapshot)); the copy checks
//!   ([`engine`](crate::engine)).
//!
//! # Seed 004
//! **Alibaba Cloud ECS, Chinese, the newer revision.** No title line; first sentence
//! "调用CopyImage复制一个地域下的自定义镜像到其他地域。复制镜像可以实现跨地域部署ECS实例、跨地域复制ECS实例等目的。"
//! (Call CopyImage to copy a custom image in one region to another region. Copying images
//! serves purposes such as deploying ECS instances across regions and replicating ECS instances
//! across regions.)
//!
//! - **Public URL:** the same page as [seed 003](#seed-003),
//!   <https://help.aliyun.com/document_detail/25538.html>; a Chinese revision on the
//!   international site is
//!   <https://www.alibabacloud.com/help/zh/elastic-compute-service/latest/copyimage>, and an
//!   English one <https://www.alibabacloud.com/help/id/ecs/api-copyimage>.
//! - **Covers:** what [seed 003](#seed-003) covers, plus: the `KMSKeyId` parameter and its errors
//!   (`InvalidParameter.KMSKeyId.NotFound`, `InvalidParameter.KMSKeyId.KMSUnauthorized`,
//!   `InvalidRegion.NotSupport`, `UserNotInTheWhiteList`, `InvalidParameter.EncryptedIllegal`);
//!   `OperationDenied.NotPublished`; "复制镜像时,您无法删除复制后的镜像" (while copying, you
//!   can't delete the copied image);
//!   "同一个地域下同时只能有一个镜像拷贝任务运行,其余任务需要排队等待上一个任务完成后再依次排队执行"
//!   (only one image copy task runs in a region at a time; the others queue, waiting for the
//!   previous task to finish, and run in turn); a second
//!   `InternalError` row with HTTP 500.
//! - **What the crate takes:** the error table where it differs from [seed 003](#seed-003) (HTTP 500 for
//!   `InternalError`; [`error`](crate::error)); customer keys and BYOK ([`kms`](crate::kms));
//!   the per-region copy queue ([`copy`](crate::copy)); no deleting a copy in progress, and
//!   cancelling it ([`engine`](crate::engine)); the name rule's wording
//!   ([`name`](crate::name)).
//! - **Later revisions:** today's pages allow copying an image shared with you (within its
//!   region) and add `ResourceGroupId`; the help.aliyun.com revision runs five copy tasks per
//!   region at a time instead of one.
