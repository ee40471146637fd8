//! Rendering answers in each provider's JSON shape: the typed bodies of [`crate::response`],
//! written by `serde_json`.

use serde::Serialize;

use crate::error::ApiError;
use crate::id::RequestId;
use crate::provider::Provider;
use crate::response::{AlibabaErrorResponse, TencentErrorResponse, alibaba, tencent};

use super::Reply;

/// Writes `body` as compact JSON to `out`. The crate's bodies serialise without fail (they
/// hold strings, numbers and lists of them, and no map with other than string keys).
fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, body: &T) {
    if let Err(e) = serde_json::to_writer(&mut *out, body) {
        // Unreachable for the crate's bodies; a body that can't be written still answers.
        out.extend_from_slice(format!("{{\"Error\":{:?}}}", e.to_string()).as_bytes());
    }
}

/// A body rendered where it was answered (it borrows the engine's state).
pub(super) fn json<T: Serialize + ?Sized>(body: &T) -> Reply {
    let mut out = Vec::with_capacity(256);
    write(&mut out, body);
    // `serde_json` writes UTF-8.
    Reply::Json(String::from_utf8(out).unwrap_or_default())
}

/// Writes the success body of `reply`.
pub(super) fn reply(provider: Provider, request: &RequestId, reply: Reply, out: &mut Vec<u8>) {
    match reply {
        Reply::Plain | Reply::Synced(None) => match provider {
            Provider::Alibaba => write(out, &alibaba::Acknowledged::new(request)),
            Provider::Tencent => write(
                out,
                &tencent::Envelope::new(tencent::Acknowledged::new(request)),
            ),
        },
        // Only Alibaba's `CopyImage` answers with the copy.
        Reply::CopiedTo(image) => write(out, &alibaba::CopyImageResponse::new(request, &image)),
        // Only Tencent's `SyncImages` answers with an image set.
        Reply::Synced(Some(set)) => write(
            out,
            &tencent::Envelope::new(tencent::SyncImagesResponse::new(
                request,
                set.iter().map(|(i, r)| (i, r)),
                true,
            )),
        ),
        Reply::Json(body) => out.extend_from_slice(body.as_bytes()),
    }
}

/// Writes an error: `{"RequestId", "HttpCode", "Code", "Message"}` (Alibaba) or
/// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` (Tencent). `own_message`
/// keeps the runner's own message (which names the line) in the Tencent form too.
pub(super) fn error(
    provider: Provider,
    request: &RequestId,
    e: &ApiError,
    own_message: bool,
    out: &mut Vec<u8>,
) {
    match provider {
        Provider::Alibaba => write(out, &AlibabaErrorResponse::new(request, e)),
        Provider::Tencent if own_message => write(
            out,
            &TencentErrorResponse::with_message(request, e, e.message()),
        ),
        Provider::Tencent => write(out, &TencentErrorResponse::new(request, e)),
    }
}
