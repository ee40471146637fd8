//! Every body, built from the engine's values, serialised with `serde_json`: the exact
//! bytes the runner writes (`examples/scenarios/*.expected` hold the same shapes).

use chrono::{TimeZone, Utc};
use serde::Serialize;

use super::{AlibabaErrorResponse, ErrorResponse, TencentErrorResponse, alibaba, tencent};
use crate::engine::ImageView;
use crate::error::{ApiError, ErrorCode};
use crate::export::{
    BucketName, ExportFormat, ExportObject, ExportRequest, ExportScope, ExportState, ExportTask,
    ExportTaskId, ObjectPrefix,
};
use crate::id::{AccountId, ImageId, RequestId, SnapshotId};
use crate::image::{Image, ImageStatus, OwnerAlias, Platform};
use crate::name::{Description, ImageName};
use crate::provider::Provider;
use crate::region::RegionId;
use crate::tag::{Tag, Tags};

#[derive(Serialize)]
struct Time(#[serde(serialize_with = "super::wire_time")] chrono::DateTime<Utc>);

#[derive(Serialize)]
struct Percent(#[serde(serialize_with = "super::percent")] u8);

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

const REQUEST: &str = "00000000-0000-4000-8000-00000000002A";

fn request() -> RequestId {
    RequestId::from_sequence(42)
}

/// A copy in flight, 40% done, with a description and two tags.
fn copy() -> Image {
    let region = RegionId::new("cn-shanghai").unwrap();
    let owner = AccountId::new("1234567890123456").unwrap();
    let snapshots = vec![SnapshotId::new("s-sys00001").unwrap()];
    let source = Image::custom(
        ImageId::new("m-src0001").unwrap(),
        region.clone(),
        owner.clone(),
        ImageName::new("web").unwrap(),
        snapshots.clone(),
    )
    .build()
    .unwrap();
    Image::custom(
        ImageId::new("m-copy0001").unwrap(),
        region,
        owner,
        ImageName::new("web-copy").unwrap(),
        snapshots,
    )
    .description(Description::new("the \"web\" tier").unwrap())
    .size_gib(40)
    .status(ImageStatus::Creating)
    .progress(40)
    .tags(
        Tags::new(vec![
            Tag::new("team", "web").unwrap(),
            Tag::new("env", "").unwrap(),
        ])
        .unwrap(),
    )
    .copy_of(&source)
    .created_at(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap())
    .build()
    .unwrap()
}

/// A public image, no copy.
fn public() -> Image {
    Image::public(
        ImageId::new("m-sys0001").unwrap(),
        RegionId::new("cn-shanghai").unwrap(),
        AccountId::new("system").unwrap(),
        ImageName::new("centos").unwrap(),
        vec![SnapshotId::new("s-sys00001").unwrap()],
    )
    .platform(Platform::Windows)
    .size_gib(40)
    .created_at(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap())
    .build()
    .unwrap()
}

#[test]
fn alibaba_describe_images_lists_each_image_with_its_fields() {
    let (copy, public) = (copy(), public());
    let views = [
        ImageView {
            image: &copy,
            owner_alias: OwnerAlias::Own,
        },
        ImageView {
            image: &public,
            owner_alias: OwnerAlias::System,
        },
    ];
    let request = request();
    assert_eq!(
        json(&alibaba::DescribeImagesResponse::new(&request, &views)),
        format!(
            concat!(
                r#"{{"RequestId":"{}","Images":{{"Image":["#,
                r#"{{"ImageId":"m-copy0001","ImageName":"web-copy","RegionId":"cn-shanghai","#,
                r#""Status":"Creating","Progress":"40%","ImageOwnerAlias":"self","#,
                r#""OwnerId":"1234567890123456","Description":"the \"web\" tier","#,
                r#""Platform":"Linux","Size":40,"CreationTime":"2026-01-02T03:04:05Z","#,
                r#""Tags":{{"Tag":[{{"TagKey":"team","TagValue":"web"}},{{"TagKey":"env","TagValue":""}}]}},"#,
                r#""IsCopied":true,"CopiedFromImageId":"m-src0001"}},"#,
                r#"{{"ImageId":"m-sys0001","ImageName":"centos","RegionId":"cn-shanghai","#,
                r#""Status":"Available","Progress":"100%","ImageOwnerAlias":"system","#,
                r#""OwnerId":"system","Description":"","Platform":"Windows","Size":40,"#,
                r#""CreationTime":"2026-01-02T03:04:05Z","Tags":{{"Tag":[]}},"IsCopied":false,"#,
                r#""CopiedFromImageId":""}}"#,
                r#"]}},"TotalCount":2}}"#
            ),
            REQUEST
        )
    );
}

#[test]
fn tencent_describe_images_lists_each_image_with_its_fields() {
    let (copy, public) = (copy(), public());
    let views = [
        ImageView {
            image: &copy,
            owner_alias: OwnerAlias::Others,
        },
        ImageView {
            image: &public,
            owner_alias: OwnerAlias::System,
        },
    ];
    let request = request();
    let body = tencent::Envelope::new(tencent::DescribeImagesResponse::new(&request, &views));
    assert_eq!(
        json(&body),
        format!(
            concat!(
                r#"{{"Response":{{"ImageSet":["#,
                r#"{{"ImageId":"m-copy0001","ImageName":"web-copy","ImageDescription":"the \"web\" tier","#,
                r#""ImageState":"SYNCING","ImageSource":"CREATE_IMAGE","ImageType":"SHARED_IMAGE","#,
                r#""ImageCreator":"1234567890123456","Platform":"Linux","ImageSize":40,"#,
                r#""SyncPercent":40,"CreatedTime":"2026-01-02T03:04:05Z","#,
                r#""Tags":[{{"Key":"team","Value":"web"}},{{"Key":"env","Value":""}}]}},"#,
                r#"{{"ImageId":"m-sys0001","ImageName":"centos","ImageDescription":"","#,
                r#""ImageState":"NORMAL","ImageSource":"OFFICIAL","ImageType":"PUBLIC_IMAGE","#,
                r#""ImageCreator":"system","Platform":"Windows","ImageSize":40,"#,
                r#""SyncPercent":100,"CreatedTime":"2026-01-02T03:04:05Z","Tags":[]}}"#,
                r#"],"TotalCount":2,"RequestId":"{}"}}}}"#
            ),
            REQUEST
        )
    );
}

#[test]
fn alibaba_copy_export_and_acknowledgement() {
    let request = request();
    let image = ImageId::new("m-copy0001").unwrap();
    let region = RegionId::new("cn-hangzhou").unwrap();
    assert_eq!(
        json(&alibaba::CopyImageResponse::new(&request, &image)),
        format!(r#"{{"RequestId":"{REQUEST}","ImageId":"m-copy0001"}}"#)
    );
    assert_eq!(
        json(&alibaba::ExportImageResponse::new(
            &request,
            ExportTaskId(123_456_789),
            &region
        )),
        format!(r#"{{"RequestId":"{REQUEST}","TaskId":"t-123456789","RegionId":"cn-hangzhou"}}"#)
    );
    assert_eq!(
        json(&alibaba::Acknowledged::new(&request)),
        format!(r#"{{"RequestId":"{REQUEST}"}}"#)
    );
}

/// An export task taken through its transitions to `state` (`progress` reported while it
/// ran; an ended task ends 9 minutes after it was queued).
fn task(id: u64, state: ExportState, progress: u8, ended: bool) -> ExportTask {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let request = ExportRequest {
        image: ImageId::new("m-src0001").unwrap(),
        bucket: BucketName::new("exports").unwrap(),
        prefix: ObjectPrefix::new("web").unwrap(),
        format: ExportFormat::Raw,
        scope: ExportScope::WholeMachine,
    };
    let objects = vec![ExportObject {
        disk: 0,
        snapshot: SnapshotId::new("s-sys00001").unwrap(),
        name: "web_xvda.raw".into(),
        size_gib: 40,
    }];
    let mut t = ExportTask::queued(
        ExportTaskId(id),
        AccountId::new("1234567890123456").unwrap(),
        RegionId::new("cn-hangzhou").unwrap(),
        &request,
        objects,
        at,
    );
    let end = at + chrono::Duration::minutes(9);
    match state {
        ExportState::Queued => {}
        ExportState::Cancelled => t.cancel(end).unwrap(),
        _ => {
            t.start(at).unwrap();
            t.report_progress(progress).unwrap();
            match state {
                ExportState::Succeeded => t.finish(end).unwrap(),
                ExportState::Failed => t.fail(end, "disk".into()).unwrap(),
                _ => {}
            }
        }
    }
    assert_eq!(
        (t.state(), t.progress(), t.ended_at().is_some()),
        (state, progress, ended)
    );
    t
}

#[test]
fn alibaba_describe_tasks_lists_each_task() {
    let request = request();
    let region = RegionId::new("cn-hangzhou").unwrap();
    let tasks = [
        task(1, ExportState::Queued, 0, false),
        task(2, ExportState::Running, 40, false),
        task(3, ExportState::Succeeded, 100, true),
        task(4, ExportState::Failed, 40, true),
        task(5, ExportState::Cancelled, 0, true),
    ];
    let body = alibaba::DescribeTasksResponse::new(&request, &tasks, &region);
    let item = |id, status, process, cancel: bool, end: &str| {
        format!(
            r#"{{"TaskId":"t-0000000{id}","TaskAction":"ExportImage","TaskStatus":"{status}","TaskProcess":"{process}%","SupportCancel":{cancel},"CreationTime":"2026-01-01T00:00:00Z"{end}}}"#
        )
    };
    let end = r#","FinishedTime":"2026-01-01T00:09:00Z""#;
    let items = [
        item(1, "Waiting", 0, true, ""),
        item(2, "Processing", 40, true, ""),
        item(3, "Finished", 100, false, end),
        item(4, "Failed", 40, false, end),
        item(5, "Cancelled", 0, false, end),
    ];
    assert_eq!(
        json(&body),
        format!(
            r#"{{"RequestId":"{REQUEST}","TaskSet":{{"Task":[{}]}},"TotalCount":5,"RegionId":"cn-hangzhou"}}"#,
            items.join(",")
        )
    );
}

#[test]
fn tencent_sync_export_and_acknowledgement() {
    let request = request();
    let copies = [
        (
            ImageId::new("img-0000002a").unwrap(),
            RegionId::new("ap-shanghai").unwrap(),
        ),
        (
            ImageId::new("img-0000002b").unwrap(),
            RegionId::new("ap-beijing").unwrap(),
        ),
    ];
    let pairs = || copies.iter().map(|(i, r)| (i, r));
    assert_eq!(
        json(&tencent::Envelope::new(tencent::SyncImagesResponse::new(
            &request,
            pairs(),
            true
        ))),
        format!(
            r#"{{"Response":{{"ImageSet":[{{"ImageId":"img-0000002a","Region":"ap-shanghai"}},{{"ImageId":"img-0000002b","Region":"ap-beijing"}}],"RequestId":"{REQUEST}"}}}}"#
        )
    );
    let plain = format!(r#"{{"Response":{{"RequestId":"{REQUEST}"}}}}"#);
    assert_eq!(
        json(&tencent::Envelope::new(tencent::SyncImagesResponse::new(
            &request,
            pairs(),
            false
        ))),
        plain
    );
    assert_eq!(
        json(&tencent::Envelope::new(tencent::Acknowledged::new(
            &request
        ))),
        plain
    );
    let paths = ["web_xvda.raw".to_owned(), "db_xvda.raw".to_owned()];
    assert_eq!(
        json(&tencent::Envelope::new(tencent::ExportImagesResponse::new(
            &request,
            Some(ExportTaskId(7)),
            &paths
        ))),
        format!(
            r#"{{"Response":{{"TaskId":7,"CosPaths":["web_xvda.raw","db_xvda.raw"],"RequestId":"{REQUEST}"}}}}"#
        )
    );
    assert_eq!(
        json(&tencent::Envelope::new(tencent::ExportImagesResponse::new(
            &request,
            None,
            &[]
        ))),
        format!(r#"{{"Response":{{"CosPaths":[],"RequestId":"{REQUEST}"}}}}"#)
    );
}

#[test]
fn error_bodies_of_both_providers() {
    let request = request();
    let error = ApiError::new(ErrorCode::InvalidImageIdNotFound).with_message("no \"m-x\"");
    let alibaba = format!(
        r#"{{"RequestId":"{REQUEST}","HttpCode":404,"Code":"InvalidImageId.NotFound","Message":"no \"m-x\""}}"#
    );
    assert_eq!(json(&AlibabaErrorResponse::new(&request, &error)), alibaba);
    let body = ErrorResponse::new(Provider::Alibaba, &request, &error);
    assert_eq!((json(&body), body.http_status()), (alibaba, 404));

    // Tencent: its own message for the code, unless one is given.
    let tencent = format!(
        r#"{{"Response":{{"Error":{{"Code":"InvalidImageId.NotFound","Message":"The image cannot be found."}},"RequestId":"{REQUEST}"}}}}"#
    );
    assert_eq!(json(&TencentErrorResponse::new(&request, &error)), tencent);
    let body = ErrorResponse::new(Provider::Tencent, &request, &error);
    assert_eq!((json(&body), body.http_status()), (tencent, 200));
    assert_eq!(
        json(&TencentErrorResponse::with_message(
            &request,
            &error,
            "line 3: no"
        )),
        format!(
            r#"{{"Response":{{"Error":{{"Code":"InvalidImageId.NotFound","Message":"line 3: no"}},"RequestId":"{REQUEST}"}}}}"#
        )
    );
}

#[test]
fn times_match_chrono_formatting() {
    for (y, mo, d, h, mi, s) in [
        (2026, 1, 1, 0, 0, 0),
        (1999, 12, 31, 23, 59, 59),
        (999, 2, 3, 4, 5, 6),
        (10_000, 1, 1, 0, 0, 0),
        (-1, 6, 15, 12, 30, 45),
    ] {
        let at = Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
        let expected = format!("\"{}\"", at.format("%Y-%m-%dT%H:%M:%SZ"));
        assert_eq!(json(&Time(at)), expected);
    }
}

#[test]
fn percentages_as_format_writes_them() {
    for p in 0..=u8::MAX {
        assert_eq!(json(&Percent(p)), format!("\"{p}%\""));
    }
}

#[test]
fn estimates_in_both_envelopes() {
    use super::estimate::{AlibabaEstimateCopyCostResponse, TencentEstimateCopyCostResponse};
    use crate::charges::{self, Amount, CopyPlan, PlannedImage, PriceTable};

    let mut paid = copy();
    paid.paid = true;
    let plan = CopyPlan {
        images: vec![PlannedImage::from(&paid)],
        destinations: vec![RegionId::new("cn-beijing").unwrap()],
        months: 2,
    };
    let mut prices = PriceTable::new("USD");
    prices.snapshot_storage.default = Some(Amount::new(0, 50_000));
    let request = request();
    let priced = charges::estimate(&plan, Some(&prices)).unwrap();
    let alibaba = json(&AlibabaEstimateCopyCostResponse::new(&request, &priced));
    let fields = concat!(
        r#""Months":2,"Lines":[{"ImageId":"m-copy0001","DestinationRegion":"cn-beijing","#,
        r#""Charges":[{"Kind":"CopyOperation","Quantity":1,"Unit":"operation","Billed":false,"#,
        r#""Amount":"0","Seed":"000"},"#,
        r#"{"Kind":"SnapshotStorage","Quantity":40,"Unit":"GiB per month","Billed":true,"#,
        r#""Amount":"4","Seed":"000"},"#,
        r#"{"Kind":"ImageFee","Unit":"instance-month","Billed":true,"#,
        r#""UltimateSource":"m-src0001","Seed":"001"}],"Subtotal":"4"}],"#,
        r#""Currency":"USD","Total":"4""#
    );
    assert_eq!(alibaba, format!(r#"{{"RequestId":"{REQUEST}",{fields}}}"#));
    let tencent = json(&tencent::Envelope::new(
        TencentEstimateCopyCostResponse::new(&request, &priced),
    ));
    assert_eq!(
        tencent,
        format!(r#"{{"Response":{{{fields},"RequestId":"{REQUEST}"}}}}"#)
    );

    // Unpriced: no amounts, no currency, no total.
    let unpriced = charges::estimate(&plan, None).unwrap();
    let body = json(&AlibabaEstimateCopyCostResponse::new(&request, &unpriced));
    assert!(!body.contains("Amount") && !body.contains("Total") && !body.contains("Currency"));
}

#[test]
fn usage_estimates_in_both_envelopes() {
    use super::usage_estimate::{
        AlibabaEstimateUsageCostResponse, TencentEstimateUsageCostResponse,
    };
    use crate::charges::{Export, Launch, Network, PlannedImage, UsagePlan, estimate_usage};
    use crate::region::Geography;

    let gz = RegionId::new("ap-guangzhou").unwrap();
    let image = ImageId::new("img-web00001").unwrap();
    let object = ExportObject::new(
        0,
        SnapshotId::new("s-sys00001").unwrap(),
        "web_xvda.raw",
        40,
    );
    let export = Export::new(image.clone(), gz.clone(), vec![object], 1).unwrap();
    let paid = PlannedImage::new(image, gz, 40).paid_source(ImageId::new("m-paid0001").unwrap());
    let plan = UsagePlan::new()
        .with(export.download(Network::Private))
        .with(
            Launch::new(
                paid,
                OwnerAlias::Others,
                Geography::MainlandChina,
                "S5.SMALL1",
                1,
                2,
            )
            .unwrap(),
        );
    let estimate = estimate_usage(&plan, None).unwrap();
    let request = request();
    let download = concat!(
        r#"{"Item":"Download","ImageId":"img-web00001","Region":"ap-guangzhou","Objects":1,"Network":"Private","Charges":["#,
        r#"{"Kind":"DownloadRequests","Quantity":1,"Unit":"request","Billed":true,"Seed":"002","Clause":"COSバケットからイメージをダウンロードすると、書き込みリクエスト料金が発生します。"},"#,
        r#"{"Kind":"DownloadPrivateTraffic","Quantity":40,"Unit":"GiB","Billed":false,"Seed":"002","Clause":"プライベートネットワークダウンストリームトラフィックは無料、パブリックネットワークダウンストリームトラフィックは有料です。"}]}"#,
    );
    let launch = concat!(
        r#"{"Item":"Launch","ImageId":"img-web00001","Region":"ap-guangzhou","ImageOwnerAlias":"others","Geography":"MainlandChina","#,
        r#""InstanceType":"S5.SMALL1","Instances":1,"Months":2,"Charges":["#,
        r#"{"Kind":"ImageFee","Quantity":2,"Unit":"instance-month","Billed":true,"UltimateSource":"m-paid0001","Seed":"001","#,
        r#""Clause":"使用したカスタマイズイメージの最終ソースが有料イメージであり、そのカスタマイズイメージを共有した場合、イメージ費用が発生します。"}]}"#,
    );
    assert_eq!(
        json(&AlibabaEstimateUsageCostResponse::new(&request, &estimate)),
        format!(r#"{{"RequestId":"{REQUEST}","Lines":[{download},{launch}],"Unpriced":2}}"#)
    );
    assert_eq!(
        json(&tencent::Envelope::new(
            TencentEstimateUsageCostResponse::new(&request, &estimate)
        )),
        format!(
            r#"{{"Response":{{"Lines":[{download},{launch}],"Unpriced":2,"RequestId":"{REQUEST}"}}}}"#
        )
    );
}
