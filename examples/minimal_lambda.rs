//! The floor for the cold-start benchmark: a `lambda_runtime` function that answers a constant,
//! built with the same profile as the real one. See BENCHMARKS.md.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(lambda_runtime::run(service_fn(
            |_: LambdaEvent<Value>| async { Ok::<Value, Error>(json!({"ok": true})) },
        )))
}
