//! The seed rules charges come from: each clause quoted once.

/// A [seed](crate::sources) rule a charge comes from.
///
/// ```
/// use machine_image::charges::RULE_WINDOWS_PUBLIC;
///
/// assert_eq!(RULE_WINDOWS_PUBLIC.seed, "001");
/// assert!(RULE_WINDOWS_PUBLIC.summary.starts_with("Outside mainland China"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The seed file's number: `"000"`, `"001"` or `"002"` ([seed 000](crate::sources#seed-000), [001](crate::sources#seed-001), [002](crate::sources#seed-002)).
    pub seed: &'static str,
    /// The clause, quoted from the seed.
    pub clause: &'static str,
    /// The clause in English (this crate's translation).
    pub summary: &'static str,
}

/// [Seed 001](crate::sources#seed-001), public images outside mainland China.
pub const RULE_WINDOWS_PUBLIC: Rule = Rule {
    seed: "001",
    clause: "中国本土以外のリージョンでは、Windowsタイプのイメージの課金はインスタンスのスペックにより、実際に作成されたインスタンスに基づいて計算されます。",
    summary: "Outside mainland China, Windows public images are billed by the specification of the instances actually created.",
};

/// [Seed 001](crate::sources#seed-001), custom images: snapshot fees.
pub const RULE_CUSTOM_SNAPSHOTS: Rule = Rule {
    seed: "001",
    clause: "カスタマイズイメージを保持すると、スナップショット費用が発生します。",
    summary: "Keeping a custom image incurs snapshot fees.",
};

/// [Seed 001](crate::sources#seed-001), custom images: the image fee when the ultimate source is paid.
pub const RULE_CUSTOM_IMAGE_FEE: Rule = Rule {
    seed: "001",
    clause: "イメージ費用：カスタマイズイメージの最終ソースとなるイメージが有料イメージであり、そのカスタマイズイメージを使用した場合、イメージ費用が発生します。",
    summary: "When a custom image's ultimate source is a paid image, using the custom image incurs the image fee.",
};

/// [Seed 001](crate::sources#seed-001), shared images: the image fee when the ultimate source is paid.
pub const RULE_SHARED_IMAGE_FEE: Rule = Rule {
    seed: "001",
    clause: "使用したカスタマイズイメージの最終ソースが有料イメージであり、そのカスタマイズイメージを共有した場合、イメージ費用が発生します。",
    summary: "When a shared custom image's ultimate source is a paid image, the image fee is incurred.",
};

/// [Seed 000](crate::sources#seed-000): copying is free, the copy's snapshots are not.
pub const RULE_COPY: Rule = Rule {
    seed: "000",
    clause: "イメージコピーの機能自体は、無料で使うことができますが、コピーされたカスタムイメージを保持するために一定のスナップショット料金が発生します。",
    summary: "Copying an image is free, but keeping the copied custom image incurs snapshot fees.",
};

/// [Seed 002](crate::sources#seed-002), export: storage.
pub const RULE_EXPORT_STORAGE: Rule = Rule {
    seed: "002",
    clause: "ストレージ容量料金：イメージをCOSバケットに保存すると、ストレージ容量料金が発生します。",
    summary: "Storing the image in the COS bucket incurs storage fees.",
};

/// [Seed 002](crate::sources#seed-002), export: write requests.
pub const RULE_EXPORT_REQUESTS: Rule = Rule {
    seed: "002",
    clause: "リクエスト料金：イメージをCOSバケットにエクスポートすると、書き込みリクエスト料金が発生します。",
    summary: "Exporting the image to the COS bucket incurs write request fees.",
};

/// [Seed 002](crate::sources#seed-002), export: upstream traffic is free.
pub const RULE_EXPORT_TRAFFIC: Rule = Rule {
    seed: "002",
    clause: "プライベートネットワークアップストリームトラフィック、パブリックネットワークアップストリームトラフィックはいずれも無料です。",
    summary: "Upstream traffic, private or public network, is free.",
};

/// [Seed 002](crate::sources#seed-002), download: requests.
pub const RULE_DOWNLOAD_REQUESTS: Rule = Rule {
    seed: "002",
    clause: "COSバケットからイメージをダウンロードすると、書き込みリクエスト料金が発生します。",
    summary: "Downloading the image from the COS bucket incurs request fees (the seed says write requests).",
};

/// [Seed 002](crate::sources#seed-002), download: downstream traffic.
pub const RULE_DOWNLOAD_TRAFFIC: Rule = Rule {
    seed: "002",
    clause: "プライベートネットワークダウンストリームトラフィックは無料、パブリックネットワークダウンストリームトラフィックは有料です。",
    summary: "Private-network downstream traffic is free; public-network downstream traffic is billed.",
};
