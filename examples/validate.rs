//! Validates image names, descriptions and region ids given on the command line and prints
//! the verdict with the provider's code.
//!
//! ```text
//! cargo run --example validate -- name web-1 name 1bad desc "hello" region cn-hangzhou
//! cargo run --example validate -- --provider tencent name "$(printf 'a%.0s' {1..61})"
//! ```
//! Arguments come in pairs `KIND VALUE`, where KIND is `name`, `desc` or `region`.
//! With no arguments it validates a few samples.

use machine_image::{ApiError, Description, ImageName, Parameter, Provider, RegionCatalogue};

fn verdict(provider: Provider, kind: &str, value: &str) -> String {
    let result: Result<(), (ApiError, String)> = match kind {
        "name" => ImageName::parse_for(provider, value)
            .map(|_| ())
            .map_err(|e| {
                (
                    e.to_api_error(Parameter::DestinationImageName),
                    e.to_string(),
                )
            }),
        "desc" => Description::new(value).map(|_| ()).map_err(|e| {
            (
                e.to_api_error(Parameter::DestinationDescription),
                e.to_string(),
            )
        }),
        "region" => {
            if RegionCatalogue::for_provider(provider).contains(value) {
                Ok(())
            } else {
                Err((
                    ApiError::new(machine_image::ErrorCode::InvalidRegionIdNotFound),
                    format!("{value:?} is not a {provider} region"),
                ))
            }
        }
        other => return format!("unknown kind {other:?}: use name, desc or region"),
    };
    match result {
        Ok(()) => format!("{kind} {value:?}: ok"),
        Err((api, why)) => format!(
            "{kind} {value:?}: refused, {} (HTTP {}): {} [{why}]",
            api.code_for(provider),
            api.http_status(),
            api.message_for(provider),
        ),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut provider = Provider::Alibaba;
    if args.first().map(String::as_str) == Some("--provider") && args.len() >= 2 {
        match args[1].parse() {
            Ok(p) => provider = p,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
        args.drain(..2);
    }
    if args.is_empty() {
        args = [
            "name",
            "web-server_v1.2",
            "name",
            "1st",
            "name",
            "镜像:prod",
            "desc",
            "https://x",
            "desc",
            "Finance base image",
            "region",
            "cn-hangzhou",
            "region",
            "mars-1",
        ]
        .map(String::from)
        .to_vec();
    }
    if args.len() % 2 != 0 {
        eprintln!("arguments come in pairs: KIND VALUE (KIND is name, desc or region)");
        std::process::exit(2);
    }
    for pair in args.chunks(2) {
        println!("{}", verdict(provider, &pair[0], &pair[1]));
    }
}
