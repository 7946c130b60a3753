//! Faults in SNS: a fault-injecting proxy of our own on loopback, in front of moto's SNS server,
//! between the real SDK client (`SnsPublisher`) and SNS. Needs moto from `scripts/setup-tools`
//! (`.venv/bin/moto_server`, or `MOTO_SERVER`), one server for all of them; without it these
//! tests fail.

mod common;

use common::handle;

use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_sdk_sns::config::{Credentials, Region};
use batch_notifier::adapters::aws::configure;
use batch_notifier::adapters::sns::SnsPublisher;
use batch_notifier::config::MessageFormat;
use batch_notifier::domain::decision::Decision;
use batch_notifier::entry::Failure;

/// What the proxy does with one request.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    Throttle,
    ServerError,
    Unavailable,
    /// Holds the request longer than the SDK's attempt timeout, then drops it.
    Hang,
    /// Closes the connection without an answer.
    Drop,
}

#[derive(Default)]
struct Plan {
    script: VecDeque<Fault>,
    /// When the script is empty: this fault for every request.
    always: Option<Fault>,
    /// When the script is empty and nothing is `always`: the fraction of requests faulted at random.
    random: f64,
    rng: u64,
    requests: usize,
    /// Message ids SNS returned for the Publish requests that reached it.
    published: HashSet<String>,
}

impl Plan {
    fn next_fault(&mut self) -> Option<Fault> {
        self.requests += 1;
        if let Some(fault) = self.script.pop_front() {
            return Some(fault);
        }
        if self.always.is_some() {
            return self.always;
        }
        // xorshift: reproducible without another dependency.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let draw = (self.rng % 10_000) as f64 / 10_000.0;
        if draw >= self.random {
            return None;
        }
        const KINDS: [Fault; 10] = [
            Fault::Throttle,
            Fault::Throttle,
            Fault::Throttle,
            Fault::ServerError,
            Fault::ServerError,
            Fault::Unavailable,
            Fault::Unavailable,
            Fault::Drop,
            Fault::Drop,
            Fault::Hang,
        ];
        Some(KINDS[(self.rng >> 20) as usize % KINDS.len()])
    }
}

/// One moto for the whole binary, started at its first use. It stops when this process ends: the
/// shell that started it waits for its standard input, a pipe this process holds, to close.
struct Moto {
    url: String,
    /// Never waited for: it ends with this process.
    _shell: Child,
    _stdin: ChildStdin,
}

fn moto_url() -> &'static str {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    &MOTO.get_or_init(start_moto).url
}

/// The flood keeps both cores busy with its moto and 50 workers; a test that counts attempts, run
/// beside it, saw moto answer after the SDK's 3 s attempt timeout and counted a retry that the
/// proxy never caused. The flood runs alone (write); the others may run together (read).
static CPU: RwLock<()> = RwLock::new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_moto() -> Moto {
    let program = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"));
    assert!(
        program.is_file(),
        "cannot start {} (run scripts/setup-tools)",
        program.display()
    );
    let port = free_port();
    let mut child = Command::new("sh")
        .args([
            "-c",
            r#""$0" -H 127.0.0.1 -p "$1" & server=$!; cat >/dev/null; kill $server"#,
        ])
        .arg(&program)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not start within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto {
        url: format!("http://127.0.0.1:{port}"),
        _stdin: child.stdin.take().expect("piped"),
        _shell: child,
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn error_response(status: &str, code: &str) -> Vec<u8> {
    let body = format!(
        "<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>injected {code}</Message></Error>\
         <RequestId>fault</RequestId></ErrorResponse>"
    );
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends the request on to moto and returns its answer, noting the message id of a publish.
fn forward(upstream: &str, head: &str, body: &[u8], plan: &Mutex<Plan>) -> Vec<u8> {
    let address = upstream.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let head: String = head
        .split_inclusive("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    let head = head.trim_end_matches("\r\n").to_owned() + "\r\nconnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    if let Some(start) = text.find("<MessageId>") {
        let rest = &text[start + "<MessageId>".len()..];
        if let Some(end) = rest.find("</MessageId>") {
            plan.lock()
                .unwrap()
                .published
                .insert(rest[..end].to_owned());
        }
    }
    answer
}

fn proxy_connection(client: TcpStream, upstream: String, plan: Arc<Mutex<Plan>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut writer = client;
    while let Some((head, body)) = read_request(&mut reader) {
        let fault = plan.lock().unwrap().next_fault();
        let answer = match fault {
            None => forward(&upstream, &head, &body, &plan),
            Some(Fault::Throttle) => error_response("400 Bad Request", "Throttling"),
            Some(Fault::ServerError) => {
                error_response("500 Internal Server Error", "InternalError")
            }
            Some(Fault::Unavailable) => {
                error_response("503 Service Unavailable", "ServiceUnavailable")
            }
            Some(Fault::Hang) => {
                std::thread::sleep(Duration::from_secs(4));
                return;
            }
            Some(Fault::Drop) => return,
        };
        if writer.write_all(&answer).is_err() {
            return;
        }
    }
}

/// A proxy on loopback in front of `upstream`, following `plan`.
fn start_proxy(upstream: &str, plan: Arc<Mutex<Plan>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (upstream, plan) = (upstream.clone(), plan.clone());
            std::thread::spawn(move || proxy_connection(client, upstream, plan));
        }
    });
    url
}

/// The publisher's own configuration (HTTP client, retries, timeouts), pointed at `endpoint`.
fn loader(endpoint: &str) -> aws_config::ConfigLoader {
    configure(aws_config::defaults(BehaviorVersion::latest()))
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
}

/// A topic on moto, and a publisher that reaches it through a proxy following `plan`.
async fn setup(plan: Plan) -> (Arc<Mutex<Plan>>, SnsPublisher, String) {
    let direct = aws_sdk_sns::Client::new(&loader(moto_url()).load().await);
    let topic = direct
        .create_topic()
        .name("faults")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let plan = Arc::new(Mutex::new(plan));
    let proxy = start_proxy(moto_url(), plan.clone());
    let config = loader(&proxy).load().await;
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&config));
    (plan, publisher, topic)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn event() -> Vec<u8> {
    common::example("batch-job-state-failed.json")
}

#[test]
fn throttling_and_server_errors_then_success_publish_once() {
    let _beside_others = CPU.read().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let plan = Plan {
            script: VecDeque::from([Fault::Throttle, Fault::ServerError]),
            ..Plan::default()
        };
        let (plan, publisher, topic) = setup(plan).await;
        let mut settings = common::settings(MessageFormat::Text);
        settings.deliver.topic_arn = topic;
        let response = handle(&event(), &settings, &publisher).await.unwrap();
        let Decision::Publish(id) = response else {
            panic!("not published: {response:?}")
        };
        let plan = plan.lock().unwrap();
        assert_eq!(
            plan.requests, 3,
            "two faults, then the retry that succeeded"
        );
        assert_eq!(
            plan.published,
            HashSet::from([id]),
            "published exactly once"
        );
    });
}

#[test]
fn faults_that_outlast_the_retries_fail_the_invocation_naming_the_cause() {
    let cases = [
        (Fault::Throttle, "Throttling"),
        (Fault::ServerError, "InternalError"),
        (Fault::Unavailable, "ServiceUnavailable"),
        (Fault::Hang, "timed out"),
        (Fault::Drop, "could not reach SNS"),
    ];
    let _beside_others = CPU.read().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        for (fault, cause) in cases {
            let plan = Plan {
                always: Some(fault),
                ..Plan::default()
            };
            let (plan, publisher, topic) = setup(plan).await;
            let mut settings = common::settings(MessageFormat::Text);
            settings.deliver.topic_arn = topic;
            let started = Instant::now();
            let error = handle(&event(), &settings, &publisher).await.unwrap_err();
            let took = started.elapsed();
            assert!(matches!(error, Failure::Publish(_)), "{fault:?}: {error}");
            let message = error.to_string();
            assert!(message.contains(cause), "{fault:?}: {message}");
            let plan = plan.lock().unwrap();
            assert!(plan.published.is_empty());
            assert!(
                plan.requests >= 1 && plan.requests <= 3,
                "{fault:?}: {} attempts",
                plan.requests
            );
            eprintln!(
                "{fault:?}: failed after {} attempts in {took:.1?}: {message}",
                plan.requests
            );
        }
    });
}

#[test]
fn a_thousand_events_with_a_third_of_requests_faulted_are_all_accounted_for() {
    const EVENTS: usize = 1000;
    const WORKERS: usize = 50;
    let _alone = CPU.write().unwrap_or_else(|e| e.into_inner());
    let runtime = runtime();
    runtime.block_on(async {
        let plan = Plan {
            random: 0.3,
            rng: 0x9E37_79B9_7F4A_7C15,
            ..Plan::default()
        };
        let (plan, publisher, topic) = setup(plan).await;
        let mut settings = common::settings(MessageFormat::Text);
        settings.deliver.topic_arn = topic;
        let publishable: Vec<Vec<u8>> = common::example_events()
            .into_iter()
            .map(|(_, bytes)| bytes)
            .filter(|bytes| matches!(
                common::prepare(bytes, &settings).unwrap().decision,
                batch_notifier::domain::decision::Decision::Publish(_)
            ))
            .collect();
        let publisher = Arc::new(publisher);
        let settings = Arc::new(settings);
        let publishable = Arc::new(publishable);
        let mut workers = tokio::task::JoinSet::new();
        for worker in 0..WORKERS {
            let (publisher, settings, publishable) = (publisher.clone(), settings.clone(), publishable.clone());
            workers.spawn(async move {
                let mut results = Vec::new();
                for i in (worker..EVENTS).step_by(WORKERS) {
                    let bytes = &publishable[i % publishable.len()];
                    results.push(handle(bytes, &settings, &*publisher).await);
                }
                results
            });
        }
        let mut published = Vec::new();
        let mut failed = Vec::new();
        while let Some(results) = workers.join_next().await {
            for result in results.unwrap() {
                match result {
                    Ok(Decision::Publish(id)) => published.push(id),
                    Ok(Decision::Skip(skip)) => panic!("skipped: {}", skip.reason),
                    Err(error) => failed.push(error.to_string()),
                }
            }
        }
        let plan = plan.lock().unwrap();
        eprintln!(
            "{EVENTS} events, {} requests ({} faulted at random): {} published, {} failed back to the runtime, {} vanished",
            plan.requests,
            plan.requests - plan.published.len(),
            published.len(),
            failed.len(),
            EVENTS - published.len() - failed.len()
        );
        assert_eq!(published.len() + failed.len(), EVENTS, "every event is published or failed");
        for id in &published {
            assert!(plan.published.contains(id), "{id} was reported published but SNS never saw it");
        }
        assert!(failed.iter().all(|e| e.starts_with("SNS Publish failed")), "{failed:?}");
        assert!(published.len() > EVENTS / 2, "retries recover most faults");
    });
}
