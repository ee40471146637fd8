//! The naming and id rules written as regular expressions, from the wording of the sources,
//! as a readable specification; property tests check that the hand-written validators (a
//! single scan each, faster and naming the character at fault) accept exactly what the
//! patterns accept.
//!
//! - Image names, seeds 003/004 (`DestinationImageName`): "长度为2~128个英文或中文字符。
//!   必须以大小字母或中文开头，不能以http://和https:// 开头。可以包含数字、半角冒号（:）、
//!   下划线（_）或者连字符（-）" (2 to 128 English or Chinese characters; must start with an
//!   upper- or lowercase letter or a Chinese character, not with http:// or https://; may
//!   contain digits, colons, underscores or hyphens), and the error table adds the period
//!   ("可包含数字，"."，"_"或"-""). Tencent's `SyncImages` allows 60 characters (seed 000's
//!   API reference).
//! - Descriptions, seeds 003/004 (`DestinationDescription`): "长度为2~256个英文或中文字符，
//!   不能以http://和https://开头" (2 to 256 characters, not starting with http:// or https://).
//! - Ids: the forms of the providers' API references (the `id` module's table).
//!
//! "中文" (Chinese characters) is read as Unicode's unified ideographs, the CJK
//! compatibility ideographs (both planes) and 〇 (U+3007), the crate's documented reading;
//! the URL prefixes are refused in any letter case.
#![cfg(feature = "proptest")]

use machine_image::{AccountId, Description, ImageId, ImageName, Provider, SnapshotId};
use std::sync::LazyLock;

use proptest::prelude::*;
use regex::Regex;

/// The patterns, compiled once (a pattern with Unicode classes takes milliseconds to build).
static ALIBABA_NAME: LazyLock<Regex> = LazyLock::new(|| name_pattern(128));
static TENCENT_NAME: LazyLock<Regex> = LazyLock::new(|| name_pattern(60));
static URL_PREFIX: LazyLock<Regex> = LazyLock::new(url_prefix);
static DESCRIPTION: LazyLock<Regex> = LazyLock::new(description_pattern);
static IMAGE_ID: LazyLock<Regex> = LazyLock::new(|| id_pattern("A-Za-z", r"A-Za-z0-9_.*-", 3, 128));
static SNAPSHOT_ID: LazyLock<Regex> =
    LazyLock::new(|| id_pattern("A-Za-z", r"A-Za-z0-9_*-", 3, 64));
static ACCOUNT_ID: LazyLock<Regex> =
    LazyLock::new(|| id_pattern("A-Za-z0-9", r"A-Za-z0-9_-", 1, 64));

const CHINESE: &str = r"\p{Unified_Ideograph}\x{F900}-\x{FAFF}\x{2F800}-\x{2FA1F}\x{3007}";

fn name_pattern(max: usize) -> Regex {
    Regex::new(&format!(
        r"^[A-Za-z{CHINESE}][A-Za-z0-9{CHINESE}.:_-]{{1,{}}}$",
        max - 1
    ))
    .unwrap()
}

fn url_prefix() -> Regex {
    Regex::new(r"^(?i)https?://").unwrap()
}

fn description_pattern() -> Regex {
    Regex::new(r"^(?s).{2,256}$").unwrap()
}

fn id_pattern(first: &str, rest: &str, min: usize, max: usize) -> Regex {
    Regex::new(&format!(r"^[{first}][{rest}]{{{},{}}}$", min - 1, max - 1)).unwrap()
}

/// Characters near every edge of the rules: letters, digits, the allowed punctuation and
/// its neighbours, Chinese characters at the edges of their blocks and planes, characters
/// that look Chinese but are not (radicals, 々, kana, Hangul, fullwidth letters), accented
/// letters, whitespace and controls.
fn edge_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        2 => proptest::char::range('0', '9'),
        3 => proptest::sample::select(vec![
            '.', ':', '_', '-', '/', ' ', '*', '@', '+', ',', ';', '\t', '\n', '\u{0}', '~',
        ]),
        3 => proptest::sample::select(vec![
            '\u{4E00}', '\u{9FA5}', '\u{9FFF}', '\u{3400}', '\u{4DBF}', '\u{F900}', '\u{FA6D}',
            '\u{20000}', '\u{2A6DF}', '\u{2F800}', '\u{2FA1D}', '\u{30000}', '\u{3007}', '中',
            '文', '镜',
        ]),
        2 => proptest::sample::select(vec![
            '\u{2E80}', '\u{2F00}', '\u{3005}', '\u{3006}', '\u{3021}', 'ア', 'ぁ', '한', 'Ａ',
            'é', 'ß', 'Ω', '\u{3000}', '\u{FF0E}', '\u{FF1A}',
        ]),
    ]
}

/// A character every rule here allows after the first.
fn allowed_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::range('a', 'z'),
        proptest::char::range('0', '9'),
        proptest::sample::select(vec!['.', ':', '_', '-', '中', '\u{20000}', '\u{F900}']),
    ]
}

/// Strings of lengths around every limit, some with a URL scheme in front: either of edge
/// characters throughout (mostly refused), or of allowed characters with at most one edge
/// character put in at a random place (often accepted, so both sides are exercised).
fn candidate(max_len: usize) -> impl Strategy<Value = String> {
    let lengths = prop_oneof![0..=4usize, 0..=max_len + 2, (max_len - 2)..=max_len + 2];
    let anything = lengths
        .clone()
        .prop_flat_map(|n| proptest::collection::vec(edge_char(), n));
    let nearly = (
        lengths.prop_flat_map(|n| proptest::collection::vec(allowed_char(), n)),
        proptest::option::of((any::<prop::sample::Index>(), edge_char())),
        prop_oneof![Just('a'), edge_char()],
    )
        .prop_map(|(mut cs, swap, first)| {
            if let Some((i, c)) = swap.filter(|_| !cs.is_empty()) {
                let i = i.index(cs.len());
                cs[i] = c;
            }
            if let Some(c0) = cs.first_mut() {
                *c0 = first;
            }
            cs
        });
    let body = prop_oneof![anything, nearly].prop_map(|cs| cs.into_iter().collect::<String>());
    let prefix = proptest::sample::select(vec![
        "", "", "", "", "http://", "HTTPS://", "http:/", "https:",
    ]);
    (prefix, body).prop_map(|(p, b)| format!("{p}{b}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn image_names_follow_the_seeds_pattern(s in candidate(130)) {
        let spec = ALIBABA_NAME.is_match(&s) && !URL_PREFIX.is_match(&s);
        prop_assert_eq!(ImageName::new(&s).is_ok(), spec, "{:?}", s);
        let tencent = TENCENT_NAME.is_match(&s) && !URL_PREFIX.is_match(&s);
        prop_assert_eq!(ImageName::parse_for(Provider::Tencent, &s).is_ok(), tencent, "{:?}", s);
    }

    #[test]
    fn descriptions_follow_the_seeds_pattern(s in candidate(258)) {
        let spec = DESCRIPTION.is_match(&s) && !URL_PREFIX.is_match(&s);
        prop_assert_eq!(Description::new(&s).is_ok(), spec, "{:?}", s);
    }

    #[test]
    fn ids_follow_their_patterns(s in candidate(130)) {
        prop_assert_eq!(ImageId::new(&s).is_ok(), IMAGE_ID.is_match(&s), "image {:?}", s);
        prop_assert_eq!(SnapshotId::new(&s).is_ok(), SNAPSHOT_ID.is_match(&s), "snapshot {:?}", s);
        prop_assert_eq!(AccountId::new(&s).is_ok(), ACCOUNT_ID.is_match(&s), "account {:?}", s);
    }
}

#[test]
fn the_patterns_read_as_the_seeds_examples() {
    let name = &*ALIBABA_NAME;
    for ok in ["FinanceJoshua", "web-server_v1.2", "镜像1", "ab", "a:b"] {
        assert!(name.is_match(ok), "{ok}");
    }
    for bad in ["1web", "a", "_web", "web server", "web/1"] {
        assert!(!name.is_match(bad), "{bad}");
    }
    assert!(URL_PREFIX.is_match("https://x") && URL_PREFIX.is_match("HTTP://x"));
    assert!(DESCRIPTION.is_match("FinanceDept"));
    assert!(!DESCRIPTION.is_match("x"));
}
