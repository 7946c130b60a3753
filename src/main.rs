//! The `batch-notifier` binary: the Lambda function when a Lambda runtime starts it, and the
//! `preview` command for people. Only wiring lives here.

// The handler's future nests the SDK clients' futures deeper than the default limit lays out.
#![recursion_limit = "256"]

use std::process::ExitCode;

use batch_notifier::adapters::aws::load_config;
use batch_notifier::adapters::dynamodb::DynamoStore;
use batch_notifier::adapters::lookups::aws_lookups;
use batch_notifier::adapters::sns::SnsPublisher;
use batch_notifier::config::{self, Mode};
use batch_notifier::entry::clock::Invocation;
use batch_notifier::entry::lambda::invoke;
use batch_notifier::entry::{Services, preview};
use batch_notifier::pipeline::Core;
use batch_notifier::ports::lookups::{Enricher, Offline};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::value::RawValue;

const USAGE: &str = "\
usage: batch-notifier preview [--enrich] [--batch] [PATH ...]

Shows the SNS Publish request (or the reason to skip) for every event in PATH: a file holding one
event or one event per line, a directory (every *.json in it), or - for standard input (the
default). Settings come from the same environment variables as the Lambda function; see README.md.
Offline unless --enrich: then the lookups ENRICH names go to AWS with your credentials.
With --batch, the events are one SQS batch: shows the Publish requests that batch makes (with
DELIVERY=digest, the digests and what goes out alone), then how each record ended.
Exits 1 if any input is not a valid event, 2 on a bad setting or usage.

Started by a Lambda runtime (AWS_LAMBDA_RUNTIME_API set) with no arguments, it serves events.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("preview") => run_preview(&args[1..]),
        None if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() => run_lambda(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_lambda() -> ExitCode {
    lambda_runtime::tracing::init_default_subscriber();
    // A bad setting stops the start, so a misconfigured deployment fails at once and visibly rather
    // than on every event.
    let settings = match config::from_env(Mode::Lambda) {
        Ok(settings) => settings,
        Err(e) => {
            tracing::error!(error = %e, "invalid configuration");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let config = load_config().await;
        let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&config));
        let store = (settings.state.table.clone()).map(|table| DynamoStore::new(&config, table));
        let lookups = aws_lookups(&config, &settings);
        let services = Services {
            core: Core {
                settings: &settings,
                store: &store,
                enricher: &lookups,
            },
            publisher: &publisher,
        };
        lambda_runtime::run(service_fn(|event: LambdaEvent<Box<RawValue>>| async move {
            let deadline_ms = i64::try_from(event.context.deadline).unwrap_or(i64::MAX);
            let bytes = event.payload.get().as_bytes();
            let invocation = Invocation::new(deadline_ms, &event.context.request_id);
            invoke(bytes, services, invocation).await
        }))
        .await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}

fn run_preview(args: &[String]) -> ExitCode {
    let settings = match config::from_env(Mode::Preview) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("batch-notifier: {e}");
            return ExitCode::from(2);
        }
    };
    let enrich = args.iter().any(|a| a == "--enrich");
    let batch = args.iter().any(|a| a == "--batch");
    let paths: Vec<String> = (args.iter())
        .filter(|a| *a != "--enrich" && *a != "--batch")
        .cloned()
        .collect();
    let inputs = if paths.is_empty() {
        vec!["-".to_owned()]
    } else {
        paths
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("batch-notifier: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    if enrich {
        let lookups = runtime.block_on(async { aws_lookups(&load_config().await, &settings) });
        preview_with(
            &inputs,
            preview::Run {
                settings: &settings,
                enricher: &lookups,
                runtime: &runtime,
                batch,
            },
        )
    } else {
        preview_with(
            &inputs,
            preview::Run {
                settings: &settings,
                enricher: &Offline,
                runtime: &runtime,
                batch,
            },
        )
    }
}

fn preview_with<E: Enricher>(inputs: &[String], how: preview::Run<'_, E>) -> ExitCode {
    let stdout = std::io::stdout().lock();
    let out = std::io::BufWriter::new(stdout);
    let batch = how.batch;
    match preview::run(inputs, how, std::io::stdin().lock(), out) {
        Ok(tally) => {
            let requests = if batch {
                format!(" (in {} Publish requests)", tally.requests)
            } else {
                String::new()
            };
            eprintln!(
                "preview: {} to publish{requests}, {} skipped, {} invalid",
                tally.published, tally.skipped, tally.errors
            );
            if tally.errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("batch-notifier: cannot write the preview: {e}");
            ExitCode::from(2)
        }
    }
}
