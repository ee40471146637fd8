//! Validation speed of `ImageName` and `Description` at 2, 64 and 128/256 characters.
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use machine_image::{Description, ImageName};

fn names(c: &mut Criterion) {
    let mut group = c.benchmark_group("image_name");
    for len in [2usize, 64, 128] {
        let ascii: String = "a".repeat(len);
        group.bench_function(format!("ascii_{len}"), |b| {
            b.iter(|| ImageName::new(black_box(ascii.as_str())))
        });
        let chinese: String = "镜".repeat(len);
        group.bench_function(format!("chinese_{len}"), |b| {
            b.iter(|| ImageName::new(black_box(chinese.as_str())))
        });
    }
    group.finish();
}

fn descriptions(c: &mut Criterion) {
    let mut group = c.benchmark_group("description");
    for len in [2usize, 64, 256] {
        let text: String = "d".repeat(len);
        group.bench_function(format!("ascii_{len}"), |b| {
            b.iter(|| Description::new(black_box(text.as_str())))
        });
    }
    group.finish();
}

criterion_group!(benches, names, descriptions);
criterion_main!(benches);
