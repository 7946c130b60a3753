//! Runs one family's example events through the one path (`pipeline::prepare`, `text`) `LOOPS`
//! times, or through the floor (`serde_json::from_slice` into a `Value`) with `floor`: a program
//! to count instructions with callgrind, which counts the same for the same binary however busy
//! the machine is. `scripts/bench-instructions` runs it and takes the process's start off.
//!
//! `cargo run --release --example prepare_loop -- batch_service_job_state 1000 [floor]`

use std::hint::black_box;

use batch_notifier::config::MessageFormat;

#[path = "support/offline.rs"]
mod offline;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (family, loops) = match args.as_slice() {
        [family, loops, ..] => (
            family.as_str(),
            loops.parse::<usize>().expect("LOOPS: a number"),
        ),
        _ => panic!("usage: prepare_loop FAMILY LOOPS [floor]"),
    };
    let floor = args.get(2).is_some_and(|a| a == "floor");
    let events = offline::events_by_family()
        .remove(family)
        .expect("a family of events/");
    let settings = offline::settings(MessageFormat::Text);
    for _ in 0..loops {
        for bytes in &events {
            if floor {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap());
            } else {
                black_box(offline::prepare(black_box(bytes), &settings).unwrap());
            }
        }
    }
    println!("{family}: {} events, {loops} loops", events.len());
}
