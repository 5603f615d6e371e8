//! Normal draws per second: `autodiff::random::Key::normal_fill` against
//! `rand_distr::StandardNormal` (ziggurat) driven by `rand`'s `SmallRng`
//! (xoshiro256++), both filling a 4096-element buffer, in the same run.
//!
//! Run with `cargo bench --bench random -- --warm-up-time 1 --measurement-time 3`.
//! Criterion reports time per 4096 draws and the throughput in draws/s.

use std::hint::black_box;

use autodiff::random::Key;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

const LEN: usize = 4096;

fn normal(c: &mut Criterion) {
    let mut group = c.benchmark_group("normal_4096");
    group.throughput(Throughput::Elements(LEN as u64));

    let mut buf32 = vec![0.0f32; LEN];
    let mut buf64 = vec![0.0f64; LEN];
    let mut words = vec![0u32; LEN];

    for (name, key) in [("partitionable", Key::new(0)), ("legacy", Key::legacy(0))] {
        group.bench_function(format!("autodiff_f32_{name}"), |b| {
            b.iter(|| black_box(key).normal_fill(black_box(&mut buf32[..])))
        });
        group.bench_function(format!("autodiff_f64_{name}"), |b| {
            b.iter(|| black_box(key).normal_fill(black_box(&mut buf64[..])))
        });
        group.bench_function(format!("autodiff_bits32_{name}"), |b| {
            b.iter(|| black_box(key).bits_fill(black_box(&mut words[..])))
        });
    }

    let mut rng = SmallRng::seed_from_u64(0);
    group.bench_function("rand_distr_f32_smallrng", |b| {
        b.iter(|| {
            for x in buf32.iter_mut() {
                *x = rng.sample(StandardNormal);
            }
            black_box(&mut buf32);
        })
    });
    group.bench_function("rand_distr_f64_smallrng", |b| {
        b.iter(|| {
            for x in buf64.iter_mut() {
                *x = rng.sample(StandardNormal);
            }
            black_box(&mut buf64);
        })
    });
    group.finish();
}

criterion_group!(benches, normal);
criterion_main!(benches);
