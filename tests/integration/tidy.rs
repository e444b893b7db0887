//! Tidy checks over the source tree (rust-analyzer's `tidy.rs` is the
//! model): the map in docs/ARCHITECTURE.md names every module and only
//! modules that exist, every source file says what it holds in a `//!`
//! doc, no crate but accord-store names a storage engine, no test
//! returns early (a skipped test must say so with `#[ignore = "why"]`), and
//! no dependency declares a newer `rust-version` than ours.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source directories the code map covers, with their section titles.
const CRATES: [(&str, &str); 5] = [
    ("crates/core/src", "### `crates/core`"),
    ("crates/store/src", "### `crates/store`"),
    ("crates/ledger/src", "### `crates/ledger`"),
    ("crates/server/src", "### `crates/server`"),
    ("src", "### `src/`"),
];

/// The module a file is, by the name the map uses: `x.rs` and `x/mod.rs`
/// are `x`; `lib.rs` and `main.rs` are the crate itself.
fn module_name(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let stem = rel.file_stem()?.to_string_lossy().into_owned();
    match stem.as_str() {
        "lib" | "main" if rel.parent() == Some(Path::new("")) => None,
        "mod" => Some(rel.parent()?.to_string_lossy().replace('\\', "/")),
        _ => Some(rel.with_extension("").to_string_lossy().replace('\\', "/")),
    }
}

/// The text of the map's section for one crate.
fn section<'a>(doc: &'a str, title: &str) -> &'a str {
    let start = doc
        .find(title)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no section {title}"));
    let rest = &doc[start + title.len()..];
    let end = rest
        .find("\n### ")
        .or_else(|| rest.find("\n## "))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn backticked(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_code_map_names_every_module_and_only_modules_that_exist() {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).unwrap();
    let mut problems = Vec::new();
    for (dir, title) in CRATES {
        let src = root().join(dir);
        let text = section(&doc, title);
        let named = backticked(text);
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        // A module's own tests (`x/tests.rs`) need no row of their own.
        let modules: BTreeSet<String> = files
            .iter()
            .filter_map(|f| module_name(&src, f))
            .filter(|m| !m.ends_with("/tests"))
            .collect();
        for m in &modules {
            let last = m.rsplit('/').next().unwrap_or(m);
            let dotted = m.replace('/', "::");
            if !named.contains(m) && !named.contains(last) && !named.contains(&dotted) {
                problems.push(format!(
                    "{dir}: module `{m}` is not in ARCHITECTURE.md's map"
                ));
            }
        }
        // Every row of the map's module tables is a module that exists.
        for line in text.lines() {
            let Some(cell) = line.strip_prefix("| `") else {
                continue;
            };
            let Some(name) = cell.split('`').next() else {
                continue;
            };
            // The crate root (`lib`, `main`) is a row of some tables too.
            let exists = src.join(format!("{name}.rs")).is_file()
                || modules.iter().any(|m| {
                    m == name || m.rsplit('/').next() == Some(name) || m.replace('/', "::") == name
                });
            if !exists {
                problems.push(format!(
                    "{dir}: ARCHITECTURE.md's map names `{name}`, which is not a module"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_source_file_says_what_it_holds() {
    let mut problems = Vec::new();
    for (dir, _) in CRATES {
        let mut files = Vec::new();
        rust_files(&root().join(dir), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            if !first.starts_with("//!") {
                problems.push(format!("{} has no `//!` doc", f.display()));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn only_accord_store_names_a_storage_engine() {
    let mut problems = Vec::new();
    for dir in [
        "crates/core/src",
        "crates/ledger/src",
        "crates/server/src",
        "src",
    ] {
        let mut files = Vec::new();
        rust_files(&root().join(dir), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if ["redb::", "sled::", "use redb", "use sled"]
                    .iter()
                    .any(|w| code.contains(w))
                {
                    problems.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Test functions (`#[test]` then `fn`) whose body holds a bare `return`
/// at any depth, unless the test is `#[ignore]`d.
fn early_returns(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[test]" {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut ignored = false;
        while j < lines.len() && !lines[j].trim_start().starts_with("fn ") {
            ignored |= lines[j].contains("#[ignore");
            j += 1;
        }
        let name = lines.get(j).map_or("", |l| l.trim());
        let mut depth = 0i32;
        let mut k = j;
        while k < lines.len() {
            let l = lines[k];
            let code = l.split("//").next().unwrap_or("");
            let t = code.trim();
            if !ignored && depth > 0 && (t == "return;" || t.starts_with("return Ok(())")) {
                found.push(format!("{name} (line {})", k + 1));
            }
            depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            if depth <= 0 && k > j && code.contains('}') {
                break;
            }
            k += 1;
        }
        i = k.max(i + 1);
    }
    found
}

#[test]
fn no_test_returns_early_without_ignore() {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for dir in [
        "tests",
        "crates/core/tests",
        "crates/store/tests",
        "crates/ledger/tests",
    ] {
        rust_files(&root().join(dir), &mut files);
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for hit in early_returns(&text) {
            problems.push(format!("{}: {hit}", f.display()));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_early_return_check_catches_a_skip() {
    let skipping =
        "#[test]\nfn skips() {\n    if !root() {\n        return;\n    }\n    work();\n}\n";
    assert_eq!(early_returns(skipping).len(), 1);
    let ignored = "#[test]\n#[ignore = \"needs root\"]\nfn skips() {\n    if !root() {\n        return;\n    }\n}\n";
    assert!(early_returns(ignored).is_empty());
}

/// A `rust-version` as numbers (`1.90` and `1.90.0` are equal).
fn rust_version(v: &str) -> Vec<u64> {
    let mut n: Vec<u64> = v.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    n.resize(3, 0);
    n
}

/// The declared MSRV holds for what we build with: no package in the
/// lock file's resolution declares a newer `rust-version` than ours (a
/// build on our MSRV would refuse it). Clippy's `incompatible_msrv` checks
/// our own code against the same number.
#[test]
fn no_dependency_needs_a_newer_rust_than_our_msrv() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // This machine's platform only: crates for other platforms are never
    // downloaded, and an offline resolution of them would fail.
    let rustc = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .unwrap();
    let host = String::from_utf8(rustc.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .unwrap();
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let used: BTreeSet<&str> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    let packages = meta["packages"].as_array().unwrap();
    let ours = packages
        .iter()
        .find(|p| p["name"] == "accord")
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml declares rust-version");
    let newer: Vec<String> = packages
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| used.contains(id)))
        .filter_map(|p| {
            let v = p["rust_version"].as_str()?;
            (rust_version(v) > rust_version(ours)).then(|| {
                let name = p["name"].as_str().unwrap_or("?");
                format!("{name} {}: {v}", p["version"].as_str().unwrap_or("?"))
            })
        })
        .collect();
    assert!(
        newer.is_empty(),
        "our rust-version is {ours}, but:\n{}",
        newer.join("\n")
    );
}
