//! The documentation is generated from, and checked against, the code:
//! the man page is current, README's tables are the schema's and the exit
//! codes', and every example in README, `--help` and the man page runs as
//! written with the exit status it documents.

mod common;

use std::process::Command;

use clap::CommandFactory;
use common::*;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

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
    let cli = pscope::cli::Cli::command();
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        assert!(
            page.contains(&format!(".SS \"pscope {name}\"")),
            "missing command {name}"
        );
    }
    for record in pscope::render::schema::RECORDS {
        assert!(
            page.contains(&format!(".SS \"{}\"", record.name)),
            "missing JSON record {}",
            record.name
        );
    }
    if !need("groff") {
        return;
    }
    let out = Command::new("groff")
        .args(["-man", "-ww", "-z"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/man/pscope.1"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "groff warnings");
}

/// The rows of the markdown table that follows `heading` in `text`, as
/// lists of cells (the header and separator rows left out).
fn table_after(text: &str, heading: &str) -> Option<Vec<Vec<String>>> {
    let start = text.find(heading)? + heading.len();
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text[start..].lines() {
        if line.starts_with('|') {
            in_table = true;
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            rows.push(cells);
        } else if in_table || line.starts_with('#') {
            break;
        }
    }
    Some(rows.into_iter().skip(2).collect())
}

#[test]
fn readme_documents_every_json_record_and_field() {
    let readme = readme();
    let json_part = &readme[readme.find("### In a script").unwrap()..];
    let headings = json_part.lines().filter(|l| l.starts_with("#### ")).count();
    let records = pscope::render::schema::RECORDS;
    assert_eq!(headings, records.len(), "one README table per record type");
    for record in records {
        let rows = table_after(json_part, &format!("#### {}\n", record.name))
            .unwrap_or_else(|| panic!("README has no table for the {} record", record.name));
        let documented: Vec<String> = rows.iter().map(|r| r[0].replace('`', "")).collect();
        let fields: Vec<String> = record.fields.iter().map(|f| f.0.to_string()).collect();
        assert_eq!(documented, fields, "README's {} table", record.name);
    }
    // And what the program writes is what the schema says (a live check of
    // the process record; the unit tests check every record type).
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["--json", "-p", "1"]))).unwrap();
    let keys: Vec<&String> = doc["processes"][0].as_object().unwrap().keys().collect();
    let process: Vec<&str> = records[0].fields.iter().map(|f| f.0).collect();
    assert_eq!(keys, process);
}

#[test]
fn readme_exit_codes_are_the_programs() {
    let rows = table_after(&readme(), "### Exit status\n").unwrap();
    let documented: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].replace("\\|", "|")))
        .collect();
    let codes: Vec<(String, String)> = pscope::error::EXIT_CODES
        .iter()
        .map(|(c, m)| (c.to_string(), m.to_string()))
        .collect();
    assert_eq!(documented, codes);
}

/// Runs a shell command line with the built pscope first on PATH; returns
/// its exit status.
fn run_example(command: &str) -> (Option<i32>, String) {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_pscope"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", command])
        .env("PATH", &path)
        .env_remove("PSCOPE_PROC_ROOT")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), stderr(&out))
}

/// The exit status an example documents: "(exit N)" in its comment, 1 for
/// one that "needs privilege" when not root, else 0.
fn expected_exit(comment: &str) -> i32 {
    if let Some(at) = comment.find("(exit ") {
        let digits: String = comment[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        return digits.parse().unwrap();
    }
    if comment.contains("needs privilege") && !nix::unistd::geteuid().is_root() {
        return 1;
    }
    0
}

fn check_examples(source: &str, examples: &[(String, String)]) {
    assert!(!examples.is_empty(), "{source} has no examples");
    for (command, comment) in examples {
        if command.contains("jq") && !need("jq") {
            continue;
        }
        let (code, err) = run_example(command);
        let want = expected_exit(comment);
        assert_eq!(code, Some(want), "{source}: `{command}`: {err}");
        assert!(!err.contains("panicked"), "{source}: {command}");
    }
}

#[test]
fn readme_tour_runs_as_written() {
    let readme = readme();
    let tour = &readme[readme.find("## A tour").unwrap()..];
    let mut examples = Vec::new();
    let mut in_block = false;
    for line in tour.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block && line.starts_with("pscope") {
            let (command, comment) = line.split_once("  #").unwrap_or((line, ""));
            examples.push((command.trim().to_string(), comment.to_string()));
        }
    }
    assert!(
        examples.len() >= 10,
        "only {} tour commands",
        examples.len()
    );
    check_examples("README", &examples);
}

#[test]
fn help_examples_run_as_written() {
    let cli = pscope::cli::Cli::command();
    let mut examples = Vec::new();
    let commands = std::iter::once(&cli).chain(cli.get_subcommands());
    for command in commands.filter(|c| !c.is_hide_set()) {
        let Some(help) = command.get_after_help() else {
            continue;
        };
        for line in help.to_string().lines() {
            let line = line.trim_start();
            if !(line.starts_with("pscope") || line.starts_with("source <(pscope")) {
                continue;
            }
            // A description follows the command after two spaces or more.
            let (command, comment) = line.split_once("  ").unwrap_or((line, ""));
            examples.push((command.trim().to_string(), comment.to_string()));
        }
    }
    assert!(
        examples.len() >= 20,
        "only {} help examples",
        examples.len()
    );
    check_examples("--help", &examples);
}

#[test]
fn man_page_examples_run_as_written() {
    let examples: Vec<(String, String)> = pscope::commands::man::EXAMPLES
        .iter()
        .map(|(c, w)| (c.to_string(), w.to_string()))
        .collect();
    check_examples("man page", &examples);
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
