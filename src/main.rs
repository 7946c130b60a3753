//! The `batch-notifier` binary: the Lambda function when a Lambda runtime starts it, and the
//! `preview` command for people.

use std::process::ExitCode;

use batch_notifier::config::{self, Mode};
use batch_notifier::preview;

const USAGE: &str = "\
usage: batch-notifier preview [PATH ...]

Shows the SNS Publish request (or the reason to skip) for every event in PATH: a file holding one
event or one event per line, a directory (every *.json in it), or - for standard input (the
default). Settings come from the same environment variables as the Lambda function; see README.md.
Exits 1 if any input is not a valid event, 2 on a bad setting or usage.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("preview") => run_preview(&args[1..]),
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

fn run_preview(paths: &[String]) -> ExitCode {
    let settings = match config::from_env(Mode::Preview) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("batch-notifier: {e}");
            return ExitCode::from(2);
        }
    };
    let inputs = if paths.is_empty() {
        vec!["-".to_owned()]
    } else {
        paths.to_vec()
    };
    let stdout = std::io::stdout().lock();
    match preview::run(
        &inputs,
        &settings,
        std::io::stdin().lock(),
        std::io::BufWriter::new(stdout),
    ) {
        Ok(tally) => {
            eprintln!(
                "preview: {} to publish, {} skipped, {} invalid",
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
