//! The lifecycle calls' wire formats, checked against the providers' official SDK models
//! (`tencentcloud-sdk-go` `tencentcloud/cvm/v20170312/{models,client,errors}.go`,
//! `alibaba-cloud-sdk-go` `services/ecs/*.go`), through the scenario runner.

use machine_image::replay::Runner;
use machine_image::{Architecture, ImageId};
use serde_json::Value;

/// Answers `lines` in order; returns each answer as JSON.
fn run(lines: &[&str]) -> (Runner, Vec<Value>) {
    let mut runner = Runner::new();
    let answers = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let text = runner.answer(i as u64 + 1, line).into_json();
            serde_json::from_str(&text).unwrap()
        })
        .collect();
    (runner, answers)
}

const TENCENT: &[&str] = &[
    r#"{"Action":"Configure","Provider":"tencent"}"#,
    r#"{"at":"2026-01-01T00:00:00Z","Action":"SetAccount","AccountId":"100000000001"}"#,
    r#"{"at":"2026-01-01T00:00:00Z","Action":"SetAccount","AccountId":"100000000002"}"#,
    r#"{"at":"2026-01-01T00:00:00Z","Action":"SeedSnapshot","RegionId":"ap-guangzhou","SnapshotId":"snap-sys00001","OwnerId":"100000000002","SizeGiB":50}"#,
    r#"{"at":"2026-01-01T00:01:00Z","Action":"CreateImage","CallerId":"100000000002","Region":"ap-guangzhou","ImageName":"theirs","SnapshotIds":["snap-sys00001"]}"#,
];

/// Tencent `ImportImage` answers the image's `ImageId` (`ImportImageResponseParams`,
/// `models.go:5608`) and takes the SDK's `arm_64` (`models.go:5468`); the image shows as
/// `EXTERNAL_IMPORT` and `IMPORTING` (`Image.ImageSource`, `Image.ImageState`), a created one
/// as `CREATE_IMAGE`.
#[test]
fn tencent_import_answers_image_id_and_shows_its_source() {
    let mut lines = TENCENT.to_vec();
    lines.extend([
        r#"{"at":"2026-01-01T00:02:00Z","Action":"ImportImage","CallerId":"100000000001","Region":"ap-guangzhou","ImageName":"vm","ImageUrl":"https://b-1250000000.cos.ap-guangzhou.myqcloud.com/vm.qcow2","OsType":"CentOS","Architecture":"arm_64"}"#,
        r#"{"at":"2026-01-01T00:02:00Z","Action":"DescribeImages","CallerId":"100000000001","Region":"ap-guangzhou"}"#,
        r#"{"at":"2026-01-01T00:02:00Z","Action":"DescribeImages","CallerId":"100000000002","Region":"ap-guangzhou"}"#,
    ]);
    let (runner, answers) = run(&lines);
    let imported = &answers[5]["Response"];
    let id = imported["ImageId"]
        .as_str()
        .expect("ImportImage answers ImageId");
    assert!(imported["RequestId"].is_string());
    let image = runner
        .simulator()
        .service()
        .state()
        .image(&ImageId::new(id).unwrap())
        .unwrap();
    assert_eq!(image.architecture(), Architecture::Arm64);
    assert!(image.is_imported());
    let listed = &answers[6]["Response"]["ImageSet"][0];
    assert_eq!(listed["ImageId"], id);
    assert_eq!(listed["ImageSource"], "EXTERNAL_IMPORT");
    assert_eq!(listed["ImageState"], "IMPORTING");
    let created = &answers[7]["Response"]["ImageSet"][0];
    assert_eq!(created["ImageSource"], "CREATE_IMAGE");
    assert_eq!(created["ImageState"], "NORMAL");
}

/// The codes `tencentcloud-sdk-go` lists for the calls: a shared image's attributes
/// (`UnsupportedOperation.SharedImageModifyUnsupported`, `client.go:6383`), another
/// account's share list (`UnauthorizedOperation.ImageNotBelongToAccount`, `client.go:2463`),
/// deleting a shared image (`InvalidImageId.InShared`, `client.go:1519`) and a bad
/// `ImageUrl` (`InvalidParameter.InvalidParameterUrlError`, `client.go:4723`).
#[test]
fn tencent_codes_of_the_lifecycle_calls() {
    let mut lines = TENCENT.to_vec();
    lines.extend([
        r#"{"at":"2026-01-01T00:02:00Z","Action":"ModifyImageSharePermission","CallerId":"100000000002","Region":"ap-guangzhou","ImageId":"img-0bl0awdp","AccountIds":["100000000001"],"Permission":"SHARE"}"#,
        r#"{"at":"2026-01-01T00:03:00Z","Action":"ModifyImageAttribute","CallerId":"100000000001","Region":"ap-guangzhou","ImageId":"img-0bl0awdp","ImageName":"mine-now"}"#,
        r#"{"at":"2026-01-01T00:03:00Z","Action":"DescribeImageSharePermission","CallerId":"100000000001","Region":"ap-guangzhou","ImageId":"img-0bl0awdp"}"#,
        r#"{"at":"2026-01-01T00:03:00Z","Action":"DeleteImages","CallerId":"100000000002","Region":"ap-guangzhou","ImageIds":["img-0bl0awdp"]}"#,
        r#"{"at":"2026-01-01T00:03:00Z","Action":"ImportImage","CallerId":"100000000001","Region":"ap-guangzhou","ImageName":"vm","ImageUrl":"not a url","OsType":"CentOS"}"#,
        r#"{"at":"2026-01-01T00:04:00Z","Action":"ModifyImageSharePermission","CallerId":"100000000002","Region":"ap-guangzhou","ImageId":"img-0bl0awdp","AccountIds":["100000000001"],"Permission":"CANCEL"}"#,
        r#"{"at":"2026-01-01T00:04:00Z","Action":"DeleteImages","CallerId":"100000000002","Region":"ap-guangzhou","ImageIds":["img-0bl0awdp"]}"#,
    ]);
    let (_, answers) = run(&lines);
    assert_eq!(answers[4]["Response"]["ImageId"], "img-0bl0awdp");
    let code = |i: usize| answers[i]["Response"]["Error"]["Code"].clone();
    assert_eq!(code(6), "UnsupportedOperation.SharedImageModifyUnsupported");
    assert_eq!(code(7), "UnauthorizedOperation.ImageNotBelongToAccount");
    assert_eq!(code(8), "InvalidImageId.InShared");
    assert_eq!(code(9), "InvalidParameter.InvalidParameterUrlError");
    // Once the share is cancelled the image can go.
    assert!(
        answers[11]["Response"]["Error"].is_null(),
        "{}",
        answers[11]
    );
}

/// Alibaba `DescribeImageSharePermission` answers a page of 10 accounts by default, and
/// `PageSize` is the page size (10), not the number of accounts
/// (`describe_image_share_permission.go:76`; "By default, 10 entries are displayed on each
/// page", Alibaba's API reference).
#[test]
fn alibaba_share_list_is_a_page_of_ten() {
    let friends: Vec<String> = (0..11).map(|n| format!("2{n:015}")).collect();
    let mut lines = vec![
        r#"{"Action":"Configure","Provider":"alibaba"}"#.to_owned(),
        r#"{"at":"2026-01-01T00:00:00Z","Action":"SetAccount","AccountId":"1111111111111111"}"#
            .to_owned(),
    ];
    for f in &friends {
        lines.push(format!(
            r#"{{"at":"2026-01-01T00:00:00Z","Action":"SetAccount","AccountId":"{f}"}}"#
        ));
    }
    lines.extend([
        r#"{"at":"2026-01-01T00:00:00Z","Action":"SeedSnapshot","RegionId":"cn-hangzhou","SnapshotId":"s-sys00001","OwnerId":"1111111111111111","SizeGiB":40}"#.to_owned(),
        r#"{"at":"2026-01-01T00:01:00Z","Action":"CreateImage","CallerId":"1111111111111111","RegionId":"cn-hangzhou","ImageName":"web","SnapshotId":"s-sys00001"}"#.to_owned(),
    ]);
    let (_, first) = run(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    let image = first[lines.len() - 1]["ImageId"]
        .as_str()
        .unwrap()
        .to_owned();
    lines.extend([
        format!(
            r#"{{"at":"2026-01-01T00:02:00Z","Action":"DescribeImageSharePermission","CallerId":"1111111111111111","RegionId":"cn-hangzhou","ImageId":"{image}"}}"#
        ),
        format!(
            r#"{{"at":"2026-01-01T00:02:00Z","Action":"ModifyImageSharePermission","CallerId":"1111111111111111","RegionId":"cn-hangzhou","ImageId":"{image}","AddAccount":{}}}"#,
            serde_json::to_string(&friends).unwrap()
        ),
        format!(
            r#"{{"at":"2026-01-01T00:03:00Z","Action":"DescribeImageSharePermission","CallerId":"1111111111111111","RegionId":"cn-hangzhou","ImageId":"{image}"}}"#
        ),
    ]);
    let (_, answers) = run(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    let n = answers.len();
    let ids = |a: &Value| -> Vec<String> {
        a["Accounts"]["Account"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["AliyunId"].as_str().unwrap().to_owned())
            .collect()
    };
    let none = &answers[n - 3];
    assert!(ids(none).is_empty());
    assert_eq!(
        (&none["TotalCount"], &none["PageSize"]),
        (&Value::from(0), &Value::from(10))
    );
    assert!(answers[n - 2]["Code"].is_null(), "{}", answers[n - 2]);
    let page = &answers[n - 1];
    assert_eq!(ids(page), friends[..10]);
    assert_eq!(
        (&page["TotalCount"], &page["PageNumber"], &page["PageSize"]),
        (&Value::from(11), &Value::from(1), &Value::from(10))
    );
}
