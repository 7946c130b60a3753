//! The layout ARCHITECTURE.md describes, checked: `lib.rs` lists the modules in the order data flows
//! through them, each module imports only from the leaves and the stages before it (so there is no
//! cycle), and the pure core names no AWS SDK or Lambda runtime crate.

use std::path::{Path, PathBuf};

/// Shared by every stage; they import only from one another.
const LEAVES: &[&str] = &["config", "fingerprint", "limits", "model", "redact", "wire"];
/// The stages, in the order `lib.rs` declares them and data flows through them.
const STAGES: &[&str] = &[
    "ingest", "parse", "classify", "decide", "state", "enrich", "render", "digest", "pipeline",
    "batching", "deliver", "store", "lookup", "entry",
];
/// The stages that are the pure core.
const CORE: &[&str] = &[
    "ingest", "parse", "classify", "decide", "state", "enrich", "render", "digest", "pipeline",
    "batching",
];
/// Crates that belong at the edge only.
const EDGE_CRATES: &[&str] = &[
    "aws_config",
    "aws_sdk_",
    "aws_smithy",
    "hyper",
    "rustls",
    "lambda_runtime",
    "tokio",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The Rust files of a top-level module: `src/name.rs` or everything under `src/name/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{module}.rs"));
    if file.exists() {
        return vec![file];
    }
    let mut files = Vec::new();
    let mut dirs = vec![src().join(module)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The top-level modules a module's code names as `crate::<module>`.
fn imports_of(module: &str) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for file in files_of(module) {
        let code = std::fs::read_to_string(&file).unwrap();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != module {
                found.push((file.clone(), name));
            }
        }
    }
    found
}

#[test]
fn lib_rs_declares_every_module_in_pipeline_order() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| {
            let line = line.trim_start_matches("pub ");
            line.strip_prefix("mod ")?.strip_suffix(';')
        })
        .collect();
    let expected: Vec<&str> = LEAVES.iter().chain(STAGES).copied().collect();
    let mut sorted_leaves = declared[..LEAVES.len()].to_vec();
    sorted_leaves.sort_unstable();
    assert_eq!(sorted_leaves, LEAVES, "lib.rs: the leaves first");
    assert_eq!(&declared[LEAVES.len()..], &expected[LEAVES.len()..]);
}

#[test]
fn every_module_imports_only_from_leaves_and_earlier_stages() {
    let mut wrong = Vec::new();
    for (i, stage) in STAGES.iter().enumerate() {
        for (file, name) in imports_of(stage) {
            if !LEAVES.contains(&name.as_str()) && !STAGES[..i].contains(&name.as_str()) {
                wrong.push(format!("{}: {stage} imports crate::{name}", file.display()));
            }
        }
    }
    for leaf in LEAVES {
        for (file, name) in imports_of(leaf) {
            if !LEAVES.contains(&name.as_str()) {
                wrong.push(format!(
                    "{}: leaf {leaf} imports crate::{name}",
                    file.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the flow:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_core_names_no_sdk_runtime_or_network_crate() {
    let mut wrong = Vec::new();
    for module in LEAVES.iter().chain(CORE) {
        for file in files_of(module) {
            let code = std::fs::read_to_string(&file).unwrap();
            for krate in EDGE_CRATES.iter().filter(|krate| code.contains(*krate)) {
                wrong.push(format!("{} names {krate}", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
