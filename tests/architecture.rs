//! The layout ARCHITECTURE.md describes, checked file by file: `lib.rs` declares the layers in
//! import order; every file imports only from its own layer and those before it (the adapters only
//! from the vocabulary, the settings and the ports); no two files import each other, directly or
//! round a loop (a folder's `mod.rs` and its own children aside: it declares them, they read what
//! it re-exports); and the pure core names no AWS SDK, runtime or network crate.
//!
//! Imports are read from every `crate::`, `super::` and `self::` path, braces included, and each
//! resolves to the deepest module file it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, in the order `lib.rs` declares them: each imports only from itself and those above.
const LAYERS: &[&str] = &["domain", "config", "ports", "pipeline", "adapters", "entry"];
/// What the adapters may import: they speak the ports' language, never the core's internals.
const ADAPTERS_IMPORT: &[&str] = &["domain", "config", "ports", "adapters"];
/// The pure core: no AWS SDK, no runtime, no network.
const CORE: &[&str] = &["domain", "config", "ports", "pipeline"];
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

type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library file and its module path (`src/pipeline/gate/mod.rs` is `pipeline::gate`).
fn modules() -> BTreeMap<Module, PathBuf> {
    let mut found = BTreeMap::new();
    let mut dirs = vec![src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path.strip_prefix(src()).unwrap();
            let mut module: Module = relative
                .with_extension("")
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if relative == Path::new("main.rs") {
                continue;
            }
            if module
                .last()
                .is_some_and(|last| last == "mod" || last == "lib")
            {
                module.pop();
            }
            found.insert(module, path);
        }
    }
    found
}

/// The paths written after `prefix::` at `code[at..]`, one per name in braces.
fn paths_at(code: &str, at: usize) -> Vec<Vec<String>> {
    let rest = &code[at..];
    let mut segments = Vec::new();
    let mut chars = rest.char_indices().peekable();
    let mut word = String::new();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            chars.next();
        } else if rest[i..].starts_with("::") {
            segments.push(std::mem::take(&mut word));
            chars.next();
            chars.next();
        } else if c == '{' && word.is_empty() {
            let inner = braced(&rest[i + 1..]);
            let mut out = Vec::new();
            for item in split_top(inner) {
                for mut tail in paths_at(item.trim(), 0) {
                    let mut full = segments.clone();
                    full.append(&mut tail);
                    out.push(full);
                }
            }
            return out;
        } else {
            break;
        }
    }
    if !word.is_empty() {
        segments.push(word);
    }
    vec![segments]
}

/// The text inside the braces that `text` starts just inside of.
fn braced(text: &str) -> &str {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

/// `a, b::{c, d}, e` split at its top-level commas.
fn split_top(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The modules a file imports, each the deepest module file its path names.
fn imports(module: &Module, path: &Path, all: &BTreeMap<Module, PathBuf>) -> BTreeSet<Module> {
    let code = std::fs::read_to_string(path).unwrap();
    // A `mod.rs` is its folder's module, so `super` is the same step up from either kind of file.
    let own = module;
    let mut found = BTreeSet::new();
    for prefix in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let base: Module = match prefix {
                "crate::" => Vec::new(),
                "self::" => own.clone(),
                _ => own[..own.len().saturating_sub(1)].to_vec(),
            };
            for segments in paths_at(&code, at + prefix.len()) {
                let mut target = base.clone();
                let mut segments = segments.into_iter().peekable();
                // `super::super::x`
                while segments.peek().is_some_and(|s| s == "super") {
                    segments.next();
                    target.pop();
                }
                for segment in segments {
                    let mut deeper = target.clone();
                    deeper.push(segment);
                    if all.contains_key(&deeper) {
                        target = deeper;
                    } else {
                        break;
                    }
                }
                if &target != module && !target.is_empty() {
                    found.insert(target);
                }
            }
        }
    }
    found
}

/// Every file's imports, the edges between a folder's `mod.rs` and its own children left out.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let all = modules();
    let mut graph = BTreeMap::new();
    for (module, path) in &all {
        let targets = imports(module, path, &all)
            .into_iter()
            .filter(|target| !is_parent_and_child(module, target))
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

fn is_parent_and_child(a: &Module, b: &Module) -> bool {
    let child_of = |child: &Module, parent: &Module| {
        child.len() == parent.len() + 1 && child.starts_with(parent)
    };
    child_of(a, b) || child_of(b, a)
}

fn name(module: &Module) -> String {
    module.join("::")
}

fn layer(module: &Module) -> usize {
    LAYERS
        .iter()
        .position(|layer| module.first().is_some_and(|top| top == layer))
        .unwrap_or_else(|| panic!("{} is in no layer", name(module)))
}

#[test]
fn lib_rs_declares_the_layers_in_import_order() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| {
            let line = line.trim_start_matches("pub ");
            line.strip_prefix("mod ")?.strip_suffix(';')
        })
        .collect();
    assert_eq!(declared, LAYERS);
}

#[test]
fn every_file_imports_only_from_its_layer_and_those_before_it() {
    let mut wrong = Vec::new();
    for (module, targets) in graph() {
        for target in targets {
            let allowed = if module[0] == "adapters" {
                ADAPTERS_IMPORT.contains(&target[0].as_str())
            } else {
                layer(&target) <= layer(&module)
            };
            if !allowed {
                wrong.push(format!("{} imports {}", name(&module), name(&target)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_files_import_each_other_round_a_loop() {
    let graph = graph();
    let mut cycles = Vec::new();
    // A cycle through `start` is a path from one of its imports back to it.
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(Module, Vec<Module>)> = graph[start]
            .iter()
            .map(|next| (next.clone(), vec![start.clone(), next.clone()]))
            .collect();
        while let Some((at, path)) = stack.pop() {
            if &at == start {
                cycles.push(path.iter().map(name).collect::<Vec<_>>().join(" → "));
                break;
            }
            if !seen.insert(at.clone()) {
                continue;
            }
            for next in graph.get(&at).into_iter().flatten() {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_reader_follows_super_self_and_braces() {
    let all: BTreeMap<Module, PathBuf> = [
        "entry",
        "entry::batch",
        "entry::clock",
        "pipeline",
        "pipeline::gate",
    ]
    .iter()
    .map(|m| (m.split("::").map(str::to_owned).collect(), PathBuf::new()))
    .collect();
    let dir = std::env::temp_dir().join(format!("architecture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("batch.rs");
    std::fs::write(
        &file,
        "use super::clock::now;\nuse crate::pipeline::{gate::{Clock, settle}, Core};\nuse self::x;\n",
    )
    .unwrap();
    let module: Module = vec!["entry".into(), "batch".into()];
    let found: Vec<String> = imports(&module, &file, &all).iter().map(name).collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, ["entry::clock", "pipeline", "pipeline::gate"]);
    assert!(is_parent_and_child(
        &vec!["entry".into()],
        &vec!["entry".into(), "batch".into()]
    ));
}

#[test]
fn the_core_names_no_sdk_runtime_or_network_crate() {
    let mut wrong = Vec::new();
    for (module, path) in modules() {
        if !module
            .first()
            .is_some_and(|top| CORE.contains(&top.as_str()))
        {
            continue;
        }
        let code = std::fs::read_to_string(&path).unwrap();
        for krate in EDGE_CRATES.iter().filter(|krate| code.contains(*krate)) {
            wrong.push(format!("{} names {krate}", path.display()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
