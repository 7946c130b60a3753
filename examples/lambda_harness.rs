//! A Lambda runtime API on loopback that measures a bootstrap: cold start (exec to its first request
//! for an event), first and warm invocation times, and resident memory over many invocations.
//! Driven by `scripts/bench-lambda`; see BENCHMARKS.md.
//!
//! usage: lambda_harness BOOTSTRAP EVENT_FILE RUNS WARM_INVOCATIONS SOAK_INVOCATIONS
//!
//! EVENT_FILE is one event (pretty-printed or not), or JSON Lines: one event per line, handed over in turn across the
//! whole run (so that a file as long as the run gives each invocation an event of its own).
//!
//! The bootstrap inherits the harness's environment (TOPIC_ARN, AWS_ENDPOINT_URL_SNS, ...) plus the
//! variables Lambda sets. Prints one JSON line of results.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct State {
    pending: VecDeque<(String, Vec<u8>)>,
    first_next: Option<Instant>,
    done: Vec<(String, Instant, bool)>,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

fn serve(listener: TcpListener, shared: Shared) {
    for stream in listener.incoming().flatten() {
        let shared = shared.clone();
        std::thread::spawn(move || {
            let _ = connection(stream, &shared);
        });
    }
}

fn connection(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_owned();
        if path.ends_with("/invocation/next") {
            let (lock, ready) = &**shared;
            let mut state = lock.lock().unwrap();
            state.first_next.get_or_insert_with(Instant::now);
            while state.pending.is_empty() {
                state = ready.wait(state).unwrap();
            }
            let (id, event) = state.pending.pop_front().unwrap();
            drop(state);
            write!(
                writer,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlambda-runtime-aws-request-id: {id}\r\n\
                 lambda-runtime-deadline-ms: 32503680000000\r\n\
                 lambda-runtime-invoked-function-arn: arn:aws:lambda:us-east-1:123456789012:function:batch-notifier\r\n\
                 lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\ncontent-length: {}\r\n\r\n",
                event.len()
            )?;
            writer.write_all(&event)?;
        } else {
            let ok = path.ends_with("/response");
            let id = path.split('/').nth(4).unwrap_or("").to_owned();
            writer.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")?;
            let (lock, ready) = &**shared;
            lock.lock().unwrap().done.push((id, Instant::now(), ok));
            ready.notify_all();
        }
        writer.flush()?;
    }
}

struct Harness {
    shared: Shared,
    child: Child,
    started: Instant,
    next_id: u64,
}

impl Harness {
    fn start(bootstrap: &str) -> Harness {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let shared: Shared = Arc::default();
        let server_state = shared.clone();
        std::thread::spawn(move || serve(listener, server_state));
        let started = Instant::now();
        let child = Command::new(bootstrap)
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "batch-notifier")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the bootstrap starts");
        Harness {
            shared,
            child,
            started,
            next_id: 0,
        }
    }

    /// Time from exec to the bootstrap's first request for an event.
    fn cold_start(&self) -> Duration {
        let (lock, ready) = &*self.shared;
        let mut state = lock.lock().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while state.first_next.is_none() {
            let (next, timeout) = ready.wait_timeout(state, Duration::from_millis(1)).unwrap();
            state = next;
            assert!(
                !timeout.timed_out() || Instant::now() < deadline,
                "the bootstrap never asked for an event"
            );
        }
        state.first_next.unwrap() - self.started
    }

    /// Hands over one event and waits for its answer: the invocation's time as the runtime sees it.
    fn invoke(&mut self, event: &[u8]) -> Duration {
        self.next_id += 1;
        let id = format!("request-{}", self.next_id);
        let (lock, ready) = &*self.shared;
        let mut state = lock.lock().unwrap();
        let sent = Instant::now();
        state.pending.push_back((id.clone(), event.to_vec()));
        ready.notify_all();
        loop {
            if let Some((_, at, ok)) = state.done.iter().find(|(done, _, _)| *done == id) {
                assert!(
                    *ok,
                    "the invocation failed: is the SNS emulator up and the topic there?"
                );
                return *at - sent;
            }
            state = ready
                .wait_timeout(state, Duration::from_secs(30))
                .unwrap()
                .0;
        }
    }

    /// CPU time the bootstrap has used (user and system), in milliseconds.
    fn cpu_ms(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // After the command name in parentheses: utime and stime are the 12th and 13th fields.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // Linux reports clock ticks of 1/100 s.
        ticks * 10
    }

    /// Peak and current resident memory of the bootstrap, in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bootstrap, event_file, runs, warm, soak] = &args[..] else {
        panic!("usage: lambda_harness BOOTSTRAP EVENT_FILE RUNS WARM_INVOCATIONS SOAK_INVOCATIONS");
    };
    let text = std::fs::read_to_string(event_file).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let single = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
    let events: Vec<&[u8]> = if single {
        vec![text.as_bytes()]
    } else {
        lines.iter().map(|l| l.as_bytes()).collect()
    };
    let mut turn = 0usize;
    let mut next_event = || {
        turn += 1;
        events[(turn - 1) % events.len()]
    };
    let (runs, warm, soak): (usize, usize, usize) = (
        runs.parse().unwrap(),
        warm.parse().unwrap(),
        soak.parse().unwrap(),
    );

    let (mut cold, mut first, mut warm_medians) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let mut harness = Harness::start(bootstrap);
        cold.push(ms(harness.cold_start()));
        first.push(ms(harness.invoke(next_event())));
        warm_medians.push(median(
            (0..warm)
                .map(|_| ms(harness.invoke(next_event())))
                .collect(),
        ));
    }

    let mut memory = Vec::new();
    if soak > 0 {
        let mut harness = Harness::start(bootstrap);
        harness.cold_start();
        let checkpoints = [soak / 10, soak / 2, soak];
        for n in 1..=soak {
            harness.invoke(next_event());
            if checkpoints.contains(&n) {
                let (peak, current) = harness.memory();
                let cpu = harness.cpu_ms();
                memory.push(format!(
                    "{{\"invocations\":{n},\"peak_kib\":{peak},\"rss_kib\":{current},\"cpu_ms\":{cpu}}}"
                ));
            }
        }
    }
    println!(
        "{{\"runs\":{runs},\"invocations\":{turn},\"cold_start_ms\":{:.3},\"first_invocation_ms\":{:.3},\"warm_invocation_ms\":{:.3},\"memory\":[{}]}}",
        median(cold),
        median(first),
        median(warm_medians),
        memory.join(",")
    );
}
