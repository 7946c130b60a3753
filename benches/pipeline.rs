//! Per-event work (parse, classify, decide, render the Publish request) for each family of the
//! example events, against its floor measured in the same run: `serde_json::from_slice` of the same
//! bytes into a `serde_json::Value`. Prints the ratio per family and format at the end, measured in
//! paired rounds (criterion's own figures are the absolute times).
//!
//! `cargo bench --bench pipeline`

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use batch_notifier::config::{MessageFormat, Settings};
use criterion::{Criterion, Throughput};

#[path = "../examples/support/offline.rs"]
mod offline;

use offline::{events_by_family, prepare, settings};

const FORMATS: [MessageFormat; 3] = [
    MessageFormat::Text,
    MessageFormat::Json,
    MessageFormat::Multi,
];

fn bench(c: &mut Criterion) {
    for (family, events) in events_by_family() {
        let mut group = c.benchmark_group(&family);
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_function("floor", |b| {
            b.iter(|| {
                for bytes in &events {
                    black_box(
                        serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap(),
                    );
                }
            })
        });
        for format in FORMATS {
            let settings = settings(format);
            group.bench_function(format!("prepare-{}", format.as_str()), |b| {
                b.iter(|| {
                    for bytes in &events {
                        black_box(prepare(black_box(bytes), &settings).unwrap());
                    }
                })
            });
        }
        group.finish();
    }
}

/// The median of one benchmark, from criterion's estimates.
fn median_ns(group: &str, bench: &str) -> Option<f64> {
    // Criterion writes under the target directory, which CARGO_TARGET_DIR may move.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        Into::into,
    );
    let path = target
        .join("criterion")
        .join(group)
        .join(bench)
        .join("new/estimates.json");
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// Rounds of the paired measurement.
const ROUNDS: usize = 61;

fn time(batch: usize, mut run: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..batch {
        run();
    }
    started.elapsed().as_secs_f64()
}

/// The pipeline's time over the floor's on the same events, measured in alternating rounds (about
/// a millisecond of floor each) so that a change in the machine's load falls on both alike: the
/// median of the rounds' ratios. Shared machines drift by tens of percent between criterion's
/// separate measurements; this ratio does not.
fn paired_ratio(events: &[Vec<u8>], settings: &Settings) -> f64 {
    let floor = || {
        for bytes in events {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap());
        }
    };
    let work = || {
        for bytes in events {
            black_box(prepare(black_box(bytes), settings).unwrap());
        }
    };
    let mut batch = 1;
    while time(batch, floor) < 1e-3 {
        batch *= 2;
    }
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let f = time(batch, floor);
                time(batch, work) / f
            } else {
                let w = time(batch, work);
                w / time(batch, floor)
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

fn report() {
    println!("\nper-event work against its floor: median of {ROUNDS} paired rounds");
    println!(
        "{:<26} {:>6} {:>12} {:>8} {:>8} {:>8}",
        "family", "events", "floor/event", "text", "json", "multi"
    );
    for (family, events) in events_by_family() {
        let floor = median_ns(&family, "floor").map_or("-".to_owned(), |ns| {
            format!("{:.1} us", ns / events.len() as f64 / 1000.0)
        });
        let ratios: Vec<String> = FORMATS
            .iter()
            .map(|f| format!("{:.2}x", paired_ratio(&events, &settings(*f))))
            .collect();
        println!(
            "{:<26} {:>6} {:>12} {:>8} {:>8} {:>8}",
            family,
            events.len(),
            floor,
            ratios[0],
            ratios[1],
            ratios[2]
        );
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    bench(&mut criterion);
    criterion.final_summary();
    report();
}
