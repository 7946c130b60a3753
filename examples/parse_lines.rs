//! The floor for the preview throughput benchmark: reads a file of one event per line and parses
//! each line into a `serde_json::Value`, and nothing else. See BENCHMARKS.md.

use std::io::{BufRead, BufReader};

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse_lines FILE");
    let mut reader =
        BufReader::with_capacity(64 * 1024, std::fs::File::open(path).expect("readable file"));
    let mut line = Vec::new();
    let mut events = 0u64;
    while reader.read_until(b'\n', &mut line).expect("readable file") > 0 {
        if !line.trim_ascii().is_empty() {
            let value: serde_json::Value =
                serde_json::from_slice(&line).expect("one JSON event per line");
            std::hint::black_box(value);
            events += 1;
        }
        line.clear();
    }
    eprintln!("{events} events");
}
