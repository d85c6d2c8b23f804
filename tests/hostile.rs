//! Hostile process names: tables and trees stay aligned and never pass an
//! escape sequence or a newline from a name to the terminal; JSON stays
//! valid and carries the names.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::Value;

const NAMES: &[&[u8]] = &[
    b") (",
    b"a)b",
    b"sp ace",
    b"new\nline",
    b"tab\there",
    b"co:lon",
    b"back\\slash",
    b"per%cent%s",
    b"\x1b[31mred\x1b[0m",
    b"\x1b]0;title\x07",
    b"bad\xffutf8",
    b"fifteen-bytes!!",
    b"\xc2\x9b31m",
];

struct Hostile {
    _dirs: Vec<tempfile::TempDir>,
    pids: Vec<u32>,
    _procs: Procs,
}

/// One `sleep` per name (the kernel takes the name from the file name,
/// cut to 15 bytes), and a shell with hostile and empty arguments.
fn spawn_hostile() -> Hostile {
    let mut procs = Procs::default();
    let mut dirs = Vec::new();
    let mut pids = Vec::new();
    for name in NAMES {
        let (dir, path) = temp_copy_of("sleep", name);
        pids.push(procs.spawn(Command::new(&path).arg("30")));
        dirs.push(dir);
    }
    let mut sh = Command::new("sh");
    sh.args(["-c", "sleep 30; :", "", "two  spaces", ""]);
    for name in NAMES {
        sh.arg(std::ffi::OsStr::from_bytes(name));
    }
    pids.push(procs.spawn(&mut sh));
    // Each has exec'd and sleeps once it is in state S.
    for &pid in &pids {
        wait_for(
            "the hostile processes to sleep",
            Duration::from_secs(5),
            || live_stat_field(pid, 3).as_deref() == Some("S"),
        );
    }
    Hostile {
        _dirs: dirs,
        pids,
        _procs: procs,
    }
}

fn pid_list(h: &Hostile) -> String {
    h.pids
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn assert_terminal_safe(text: &str, what: &str) {
    assert!(
        !text.contains('\x1b'),
        "{what}: raw ESC reached the output:\n{text:?}"
    );
    assert!(!text.contains('\x07'), "{what}: raw BEL reached the output");
    assert!(
        !text.contains('\u{9b}'),
        "{what}: raw CSI reached the output"
    );
}

#[test]
fn tables_stay_aligned_and_safe() {
    let h = spawn_hostile();
    for locale in ["C.UTF-8", "C"] {
        let out = pscope()
            .env("LC_ALL", locale)
            .args(["-o", "pid,tty,comm,args", "-p", &pid_list(&h)])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = stdout(&out);
        assert_terminal_safe(&text, locale);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.len(),
            h.pids.len() + 1,
            "one line per process:\n{text}"
        );
        let column = lines[0].find("COMMAND").unwrap();
        for line in &lines[1..] {
            // The name column starts at the same place on every line.
            let before: String = line.chars().take(column).collect();
            assert!(before.ends_with(' '), "misaligned: {line:?}");
            assert!(
                line.chars().nth(column).is_some_and(|c| c != ' '),
                "misaligned: {line:?}"
            );
        }
    }
}

#[test]
fn trees_are_safe_and_one_line_per_process() {
    let h = spawn_hostile();
    let out = run(&["tree", "-p", "-a", "-l", &std::process::id().to_string()]);
    let text = stdout(&out);
    assert_terminal_safe(&text, "tree");
    for pid in &h.pids {
        let needle = format!(",{pid}");
        assert_eq!(
            text.lines().filter(|l| l.contains(&needle)).count(),
            1,
            "pid {pid}:\n{text}"
        );
    }
    assert!(
        text.contains("\\033[31mred"),
        "octal escapes as pstree: {text}"
    );
    assert!(text.contains("new\\012line"));
}

#[test]
fn json_carries_the_names_and_stays_valid() {
    let h = spawn_hostile();
    let out = run(&["--json", "-p", &pid_list(&h)]);
    let text = stdout(&out);
    assert_terminal_safe(&text, "json");
    let v: Value = serde_json::from_str(&text).unwrap();
    let comms: Vec<String> = v["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["comm"].as_str().unwrap().to_string())
        .collect();
    for name in NAMES {
        let cut = &name[..name.len().min(15)];
        let expected = String::from_utf8_lossy(cut).into_owned();
        assert!(comms.contains(&expected), "{expected:?} not in {comms:?}");
    }
    let sh = v["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["comm"] == "sh")
        .unwrap();
    let args = sh["cmdline"].as_array().unwrap();
    assert_eq!(args[3], "", "empty arguments are kept");
    assert_eq!(args[4], "two  spaces");
    let lines = stdout(&run(&["--format", "jsonl", "-p", &pid_list(&h)]));
    assert_terminal_safe(&lines, "jsonl");
    assert_eq!(lines.lines().count(), h.pids.len());
    for line in lines.lines() {
        serde_json::from_str::<Value>(line).unwrap();
    }
    let tree: Value = serde_json::from_str(&stdout(&run(&[
        "tree",
        "--json",
        &std::process::id().to_string(),
    ])))
    .unwrap();
    assert!(!tree["roots"][0]["children"].as_array().unwrap().is_empty());
}

#[test]
fn kernel_style_long_names_from_a_fixture() {
    let fake = FakeProc::new(100.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    let long = "kworker/u8:1-events_unbound_with_a_very_long_workqueue_name_64b";
    let mut k = FakeTask::new(2, 1, long);
    k.cmdline = Some(Vec::new());
    fake.add(&k);
    let out = pscope()
        .args(["--proc-root", &fake.root_arg(), "-e", "-o", "pid,comm,args"])
        .output()
        .unwrap();
    let text = stdout(&out);
    // As ps: a name column before the last is cut to its 15 cells.
    assert!(
        text.contains(&format!("2 {} [{long}]", &long[..15])),
        "{text}"
    );
    let out = pscope()
        .args(["--proc-root", &fake.root_arg(), "tree"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), format!("init---{long}\n"));
}
