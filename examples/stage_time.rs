//! Where one event's per-event work goes: its floor (`serde_json::from_slice` into a `Value`, as
//! `benches/pipeline.rs` measures it), parsing, parsing and classifying, and rendering (`text`),
//! each the mean of many runs of that stage alone, in nanoseconds and as a ratio to the floor, and
//! the allocations one run of each makes (counted by this program's allocator, which adds a
//! little to every time alike). For finding what to make cheaper; `cargo bench --bench pipeline`
//! is the budget's measure.
//!
//! `cargo run --release --example stage_time -- events/batch-service-job-state-failed.json …`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use batch_notifier::config::{self, Mode};
use batch_notifier::pipeline::classify::classify;
use batch_notifier::pipeline::parse::{Parsed, parse};
use batch_notifier::pipeline::render::render;

/// The system's allocator, counting allocations (a reallocation counts as one).
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on to the system's allocator as it came.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's guarantees, passed on.
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The allocations one run of `stage` makes.
fn allocations(stage: &mut dyn FnMut()) -> u64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    stage();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

/// Mean nanoseconds of one run of `stage`, after a warm-up, and its allocations.
fn measure(stage: &mut dyn FnMut()) -> (f64, u64) {
    (mean_ns(stage), allocations(stage))
}

/// Mean nanoseconds of one run of `stage`, after a warm-up.
fn mean_ns(stage: &mut dyn FnMut()) -> f64 {
    const RUNS: u32 = 200_000;
    for _ in 0..2_000 {
        stage();
    }
    let started = Instant::now();
    for _ in 0..RUNS {
        stage();
    }
    started.elapsed().as_nanos() as f64 / f64::from(RUNS)
}

fn main() {
    let settings = config::from_lookup(|_| None, Mode::Preview).expect("the default settings");
    println!(
        "event: floor ns [allocations]; parse, parse+classify, render: ns (ratio to the floor) [allocations]"
    );
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("an event file");
        let ours = || match parse(&bytes) {
            Ok(Parsed::Ours(event)) => event,
            other => panic!("{path} is not an event of ours: {other:?}"),
        };
        let (floor, floor_allocations) = measure(&mut || {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(&bytes)).ok());
        });
        let parsed = measure(&mut || {
            black_box(parse(black_box(&bytes)).ok());
        });
        let classified = measure(&mut || {
            black_box(classify(ours()).ok());
        });
        let notification = classify(ours()).expect("a notification");
        let rendered = measure(&mut || {
            black_box(render(black_box(&notification), &settings));
        });
        let show = |(ns, count): (f64, u64)| format!("{ns:.0} ({:.2}x) [{count}]", ns / floor);
        println!(
            "{path}: {floor:.0} [{floor_allocations}]; {}, {}, {}",
            show(parsed),
            show(classified),
            show(rendered)
        );
    }
}
