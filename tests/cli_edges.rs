//! Behaviour at the edges of the command line: pipes, help, bad input.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::*;

/// `pscope ARGS | head -1`: exit 0 and nothing on stderr, whatever the size
/// of the output.
fn quiet_under_head(args: &[&str]) {
    let line = format!(
        "'{}' {} | head -1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_pscope"),
        args.iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&line)
        .env("LC_ALL", "C.UTF-8")
        .env_remove("PSCOPE_PROC_ROOT")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).trim(),
        "0",
        "pscope {args:?} under head exited non-zero"
    );
    assert!(
        stderr(&out).is_empty(),
        "pscope {args:?} under head: {}",
        stderr(&out)
    );
}

#[test]
fn pipes_into_head_end_quietly() {
    // Make the listing long enough that the pipe closes before the end.
    let fake = FakeProc::new(1000.0);
    for pid in 1..1500 {
        let mut t = FakeTask::new(pid, if pid == 1 { 0 } else { 1 }, "filler");
        t.cmdline = Some(format!("filler {}\0", "x".repeat(200)).into_bytes());
        fake.add(&t);
    }
    let root = fake.root_arg();
    for args in [
        vec!["--proc-root", &root],
        vec!["--proc-root", &root, "--json"],
        vec!["--proc-root", &root, "aux"],
        vec!["--proc-root", &root, "-ef", "--json"],
        vec!["--proc-root", &root, "axjf"],
        vec!["--proc-root", &root, "--format", "jsonl"],
        vec!["--proc-root", &root, "tree", "-p", "-c"],
        vec!["--proc-root", &root, "tree", "--json"],
        vec!["--proc-root", &root, "zombies", "--json"],
        vec!["--proc-root", &root, "orphans", "--json"],
        vec!["--proc-root", &root, "show", "1"],
        vec!["explain", "--legend"],
        vec!["files"],
        vec!["files", "--format", "jsonl"],
        vec!["files", "--json"],
        vec!["why", "1", "2"],
        vec!["why", "--all", "--all-states"],
        vec!["completions", "bash"],
        vec!["demo", "fork"],
        vec!["demo", "zombie", "--json"],
        vec!["demo", "io", "--seconds", "1"],
        vec!["demo", "jobs"],
        vec!["demo", "exec", "--json"],
        vec!["demo", "exit"],
        vec!["--help"],
    ] {
        quiet_under_head(&args);
    }
}

#[test]
fn closed_stdout_is_not_a_panic() {
    let mut child = pscope()
        .args(["-e", "-o"])
        .arg("pid,args")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn full_disk_gives_one_line() {
    if !std::path::Path::new("/dev/full").exists() {
        return skip("/dev/full is absent");
    }
    let out = pscope()
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("No space left"), "{err}");
}

#[test]
fn help_and_version_succeed() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Usage"));
    let out = run(&["--version"]);
    assert!(stdout(&out).starts_with("pscope "));
}

/// A usage error is one line that names what is missing or wrong and
/// what was expected.
#[test]
fn usage_errors_name_what_was_expected() {
    for (args, wanted) in [
        (&["show"][..], "<PID>"),
        (&["explain"], "<STAT>"),
        (&["tree", "--bogus"], "usage: pscope tree"),
        (&["--color", "bad"], "expected one of: auto, always, never"),
        (
            &["demo", "nice", "--values=-30,25"],
            "-30 is not in -20..=19",
        ),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(wanted), "{args:?}: {err}");
    }
}

/// Every line of a listing fits the width it was given, and the command
/// column gets what is left.
#[test]
fn listings_fit_the_width() {
    for width in [40, 60, 80, 100] {
        // pscope's own listing; in ps syntax `-w` is ps's "wide".
        let out = run(&["--width", &width.to_string()]);
        assert!(out.status.success());
        let text = stdout(&out);
        for line in text.lines() {
            assert!(
                line.chars().count() <= width,
                "-w {width}: {} cells: {line}",
                line.chars().count()
            );
        }
        if width >= 100 {
            // The columns before COMMAND take about 75; it gets the rest.
            let header = text.lines().next().unwrap();
            let at = header.find("COMMAND").expect("COMMAND shown");
            let longest = text.lines().map(|l| l.chars().count()).max().unwrap();
            assert!(longest > at + 5, "COMMAND got {} cells", longest - at);
        }
    }
}

/// The default listing has the columns of ps aux (VSZ included), plus
/// PPID, NI and PRI.
#[test]
fn default_listing_has_the_columns_of_ps_aux() {
    let out = run(&[]);
    let header = stdout(&out).lines().next().unwrap().to_string();
    let columns: Vec<&str> = header.split_whitespace().collect();
    for name in [
        "USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "COMMAND",
    ] {
        assert!(columns.contains(&name), "{name} missing from {header}");
    }
    for name in ["PPID", "NI", "PRI"] {
        assert!(columns.contains(&name), "{name} missing from {header}");
    }
}
