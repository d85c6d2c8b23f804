//! pscope as an unprivileged user, and under a /proc mounted with
//! hidepid=2: unreadable fields are empty, nothing fails, nothing is made up.

mod common;

use std::process::{Command, Output};

use common::*;
use serde_json::Value;

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

fn as_nobody(args: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_pscope"))
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap()
}

#[test]
fn key_commands_work_for_an_unprivileged_user() {
    if !is_root() || !have("setpriv") {
        return skip("needs root and setpriv to run as nobody");
    }
    for args in [
        &["-e", "-o", "pid,user,stat,ni,rss,args"][..],
        &["tree", "-p"],
        &["zombies"],
        &["orphans"],
        &["show", "1"],
        &["explain", "--pid", "1"],
    ] {
        let out = as_nobody(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
    // Another user's links are null, and said to be unreadable, not made up.
    let out = as_nobody(&["show", "--json", "1"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["process"]["exe"], Value::Null);
    assert_eq!(v["process"]["cwd"], Value::Null);
    assert!(stdout(&as_nobody(&["show", "1"])).contains("not readable: permission denied"));
    // The same values as ps shows this user.
    if need("ps") {
        let ours = stdout(&as_nobody(&[
            "-o",
            "pid,user,stat,nlwp",
            "--no-headers",
            "-p",
            "1",
        ]));
        let theirs = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "ps",
                "-o",
                "pid,user,stat,nlwp",
                "--no-headers",
                "-p",
                "1",
            ])
            .output()
            .unwrap();
        assert_eq!(
            ours.split_whitespace().collect::<Vec<_>>(),
            stdout(&theirs).split_whitespace().collect::<Vec<_>>()
        );
    }
    let out = as_nobody(&["--json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(v["processes"].as_array().unwrap().len() > 5);
}

/// Mounts a proc instance with hidepid=2 on a temporary directory.
struct HiddenProc {
    dir: tempfile::TempDir,
}

impl HiddenProc {
    fn mount() -> Option<HiddenProc> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "proc", "-o", "hidepid=2", "proc"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(HiddenProc { dir })
    }
}

impl Drop for HiddenProc {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn hidepid_shows_only_ones_own_processes() {
    if !is_root() || !have("setpriv") {
        return skip("needs root to mount proc and setpriv to run as nobody");
    }
    let Some(hidden) = HiddenProc::mount() else {
        return skip("cannot mount a hidepid=2 proc here");
    };
    let root = hidden.dir.path().to_string_lossy().into_owned();
    let mut procs = Procs::default();
    let mine = procs.spawn(Command::new("setpriv").args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "sleep",
        "30",
    ]));
    wait_for("the sleep", std::time::Duration::from_secs(5), || {
        live_stat_field(mine, 3).as_deref() == Some("S")
    });
    let out = as_nobody(&["--proc-root", &root, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let procs_seen = v["processes"].as_array().unwrap();
    assert!(
        procs_seen.iter().any(|p| p["pid"] == mine),
        "own process visible"
    );
    assert!(
        procs_seen.iter().all(|p| p["uid"] == 65534),
        "only own processes: {procs_seen:?}"
    );
    // The tree hangs them under '?' stand-ins for the hidden parents.
    let out = as_nobody(&["--proc-root", &root, "tree", "-p"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("?("), "{text}");
    assert!(text.contains(&format!("sleep({mine})")), "{text}");
    let out = as_nobody(&["--proc-root", &root, "tree", "--json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["roots"][0]["missing"], true);
}

/// Under a process limit that leaves fewer threads than asked for (or none
/// beside the main one), pscope reads with the threads it gets: the same
/// rows, no error, and no thread left waiting for work that never comes.
#[test]
fn a_process_limit_leaves_fewer_threads_not_a_failure() {
    if !need_root("limiting nobody's threads")
        || !need("setpriv")
        || !need("prlimit")
        || !need("timeout")
    {
        return skip("needs root, setpriv, prlimit and timeout to limit nobody's threads");
    }
    let fake = FakeProc::new(1000.0);
    for pid in 1..=700 {
        fake.add(&FakeTask::new(pid, 1, "worker"));
    }
    // Readable by nobody.
    std::fs::set_permissions(
        fake.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let root = fake.root_arg();
    let listing = [
        "--proc-root",
        &root,
        "-e",
        "-o",
        "pid,ppid,stat,comm",
        "--no-headers",
    ];
    let expected = stdout(&run(&[&listing[..], &["--jobs", "1"]].concat()));
    assert_eq!(expected.lines().count(), 700);
    for threads in ["1", "2", "3"] {
        let out = Command::new("timeout")
            .args([
                "60",
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
            ])
            .args(["prlimit", &format!("--nproc={threads}")])
            .arg(env!("CARGO_BIN_EXE_pscope"))
            .args(listing)
            .args(["--jobs", "3"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{threads}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{threads}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected, "at most {threads} threads");
    }
}
