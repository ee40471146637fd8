//! The state deserialiser: any bytes are refused or give a service that keeps every
//! invariant and survives a serialise → deserialise round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use machine_image::engine::ImageService;

fuzz_target!(|data: &[u8]| {
    if let Ok(service) = serde_json::from_slice::<ImageService>(data) {
        service
            .check_invariants()
            .expect("a deserialised state keeps the invariants");
        let text = serde_json::to_string(&service).expect("serialises");
        let back: ImageService = serde_json::from_str(&text).expect("its own output is accepted");
        assert_eq!(back, service);
    }
});
