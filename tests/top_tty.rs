//! `pscope top` on a real terminal, driven through tmux: the header and
//! the column header appear, `P` brings a busy loop to the top, `r`
//! renices a process, `k` signals one, and `q` (or SIGTERM) ends the view
//! with the terminal as it was.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A tmux server of the test's own, with one window; killed with all it
/// runs when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, command: &str) -> Tmux {
        let socket = format!("pscope-test-{}-{name}", std::process::id());
        let tmux = Tmux { socket };
        let status = Command::new("tmux")
            .args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "main", "-x", "120", "-y", "40", command])
            .stdin(Stdio::null())
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session");
        tmux
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux's names (`Enter`, `q`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Text typed as it is.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "main"])
    }

    /// Waits until the screen shows what `check` looks for; the screen.
    fn wait(&self, what: &str, mut check: impl FnMut(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pane_pid(&self) -> i32 {
        self.tmux(&["display-message", "-p", "-t", "main", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("the pane's pid")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// A shell line that saves the terminal's settings, runs pscope top, and
/// records the settings after and then its exit status (last, so that a
/// test that sees the status finds the settings written).
fn session(dir: &Path, args: &str) -> String {
    let d = dir.display();
    format!(
        "env LC_ALL=C.UTF-8 TZ=UTC sh -c 'stty -g > {d}/before; {} top {args}; s=$?; stty -g > {d}/after; echo \"exit=$s\" > {d}/status; sleep 600'",
        env!("CARGO_BIN_EXE_pscope")
    )
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

/// Waits for the view to end; its exit status line.
fn ended(dir: &Path) -> String {
    wait_for("pscope top to end", Duration::from_secs(20), || {
        read(dir, "status").contains("exit=")
    });
    read(dir, "status").trim().to_string()
}

/// The first process row under the column header.
fn first_row(screen: &str) -> Option<String> {
    let mut lines = screen.lines().skip_while(|l| !l.contains("PID USER"));
    lines.next()?;
    lines.next().map(str::to_string)
}

fn nice_of(pid: u32) -> Option<String> {
    live_stat_field(pid, 19)
}

#[test]
fn keys_sort_renice_signal_and_quit() {
    if !need("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut procs = Procs::default();
    let tmux = Tmux::start("keys", &session(dir.path(), "-d 1 --sort pid"));
    tmux.wait("the header", |s| {
        s.contains("Tasks:") && s.contains("%Cpu(s):") && s.contains("PID USER")
    });
    // Sorted by PID, low to high: PID 1 first.
    let screen = tmux.wait("PID 1 first", |s| {
        first_row(s).is_some_and(|r| r.split_whitespace().next() == Some("1"))
    });
    assert!(screen.starts_with("top - "), "{screen}");

    // P: the busy loop comes to the top.
    // At the highest priority where the test may set it, so that other
    // work on the machine does not outrun it.
    let busy = if nix::unistd::geteuid().is_root() {
        procs.spawn(Command::new("nice").args(["-n", "-20", "sh", "-c", "while :; do :; done"]))
    } else {
        procs.spawn(Command::new("sh").args(["-c", "while :; do :; done"]))
    };
    tmux.keys(&["P"]);
    tmux.wait("the busy loop at the top", |s| {
        first_row(s).is_some_and(|r| r.split_whitespace().next() == Some(&busy.to_string()))
    });

    // r: renice a process to 5.
    let sleeper = procs.spawn(Command::new("sleep").arg("600"));
    tmux.keys(&["r"]);
    tmux.wait("the renice prompt", |s| s.contains("PID to renice"));
    tmux.type_text(&sleeper.to_string());
    tmux.keys(&["Enter"]);
    tmux.wait("the value prompt", |s| {
        s.contains(&format!("Renice PID {sleeper}"))
    });
    tmux.type_text("5");
    tmux.keys(&["Enter"]);
    tmux.wait("renice's report", |s| s.contains("old nice 0, new nice 5"));
    assert_eq!(nice_of(sleeper).as_deref(), Some("5"));

    // k: signal it (15 by default).
    tmux.keys(&["k"]);
    tmux.wait("the kill prompt", |s| s.contains("PID to signal/kill"));
    tmux.type_text(&sleeper.to_string());
    tmux.keys(&["Enter"]);
    tmux.wait("the signal prompt", |s| {
        s.contains(&format!("Send pid {sleeper}"))
    });
    tmux.keys(&["Enter"]);
    tmux.wait("the report", |s| {
        s.contains(&format!("sent SIGTERM to {sleeper}"))
    });
    let status = procs.child(sleeper).wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(15)
    );

    // q: the view ends with status 0 and the terminal as it was.
    tmux.keys(&["q"]);
    assert_eq!(ended(dir.path()), "exit=0");
    assert_eq!(read(dir.path(), "before"), read(dir.path(), "after"));
    let screen = tmux.screen();
    assert!(
        !screen.contains("PID USER"),
        "the main screen is back:\n{screen}"
    );
}

/// The pscope process running in the pane.
fn view_in(tmux: &Tmux) -> u32 {
    let shell = tmux.pane_pid();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| {
            live_stat_field(pid, 4).as_deref() == Some(&shell.to_string())
                && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "pscope")
        })
        .expect("pscope top in the pane")
}

#[test]
fn sigterm_ends_the_view_and_restores_the_terminal() {
    if !need("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("term", &session(dir.path(), "-d 1"));
    tmux.wait("the header", |s| s.contains("PID USER"));
    let view = view_in(&tmux);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(view as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(ended(dir.path()), "exit=143");
    assert_eq!(read(dir.path(), "before"), read(dir.path(), "after"));
}

#[test]
fn a_terminal_that_hangs_up_ends_the_view() {
    if !need("tmux") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("hangup", &session(dir.path(), "-d 1"));
    tmux.wait("the header", |s| s.contains("PID USER"));
    let view = view_in(&tmux);
    drop(tmux);
    // Its terminal gone, the view ends (it must not spin on the end of
    // its input).
    wait_for("the view to end", Duration::from_secs(10), || {
        live_stat_field(view, 3).is_none_or(|state| state == "Z")
    });
}

#[test]
fn without_a_terminal_it_prints_one_frame() {
    let out = pscope()
        .args(["top"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("top - "));
    assert_eq!(text.matches("\n  PID USER").count(), 1);
}
