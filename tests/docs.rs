//! The documentation is generated from, and checked against, the code.

mod common;

use std::process::Command;

use common::*;

#[test]
fn committed_man_page_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["generate-man", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh = std::fs::read_to_string(dir.path().join("pscope.1")).unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/pscope.1"))
        .expect("man/pscope.1 is committed");
    assert!(
        fresh == committed,
        "man/pscope.1 is stale: run `cargo run -- generate-man man` and commit it"
    );
}

#[test]
fn man_page_has_every_section_and_renders_cleanly() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/pscope.1")).unwrap();
    let headings: Vec<String> = page
        .lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "PROCESS STATE CODES",
        "ZOMBIES",
        "ORPHANS",
        "JSON OUTPUT",
        "EXIT STATUS",
        "ENVIRONMENT",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(
            headings.iter().any(|h| h == section),
            "missing section {section}"
        );
    }
    for sub in [
        "ps",
        "tree",
        "show",
        "explain",
        "zombies",
        "orphans",
        "completions",
    ] {
        assert!(
            page.contains(&format!(".SS \"pscope {sub}\"")),
            "missing command {sub}"
        );
    }
    if !have("groff") {
        return skip("groff is not installed");
    }
    let out = Command::new("groff")
        .args(["-man", "-ww", "-z"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/man/pscope.1"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "groff warnings");
}

#[test]
fn readme_documents_every_json_field() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["--json", "-p", "1"]))).unwrap();
    for key in doc["processes"][0].as_object().unwrap().keys() {
        assert!(
            readme.contains(key.as_str()),
            "README does not document {key}"
        );
    }
}

#[test]
fn readme_tour_runs_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let tour = &readme[readme.find("## A tour").unwrap()..];
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_pscope"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    let mut in_block = false;
    for line in tour.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block || !line.starts_with("pscope") {
            continue;
        }
        // Without its comment; a pipe into jq runs only where jq exists.
        let command = line.split("  #").next().unwrap().trim();
        if command.contains("jq") && !have("jq") {
            continue;
        }
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", command])
            .env("PATH", &path)
            .output()
            .unwrap();
        let code = out.status.code();
        let zombies_check = command.contains("--check");
        assert!(
            code == Some(0) || (zombies_check && code == Some(1)) || command.contains("||"),
            "{command}: exit {code:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{command}");
        ran += 1;
    }
    assert!(ran >= 10, "only {ran} tour commands ran");
}

#[test]
fn completions_load_in_bash() {
    let out = run(&["completions", "bash"]);
    assert!(out.status.success());
    let script = stdout(&out);
    assert!(script.contains("_pscope"));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &script).unwrap();
    let status = Command::new("bash")
        .args([
            "-c",
            &format!("source '{}' && complete -p pscope", file.path().display()),
        ])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", stderr(&status));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
}
