//! `pscope ps` on fake /proc trees: the edges a live machine may lack.

mod common;

use std::process::Output;

use common::*;

fn fixture() -> FakeProc {
    let fake = FakeProc::new(100_000.0);
    let mut init = FakeTask::new(1, 0, "init");
    init.threads = 2;
    fake.add(&init);
    let mut kthreadd = FakeTask::new(2, 0, "kthreadd");
    kthreadd.session = 0;
    kthreadd.pgrp = 0;
    kthreadd.vm = None;
    kthreadd.flags = KTHREAD_FLAGS;
    kthreadd.cmdline = Some(Vec::new());
    fake.add(&kthreadd);
    let mut kworker = FakeTask::new(3, 2, "kworker/0:1-events");
    kworker.state = 'I';
    kworker.session = 0;
    kworker.pgrp = 0;
    kworker.nice = -20;
    kworker.priority = 0;
    kworker.vm = None;
    kworker.flags = KTHREAD_FLAGS;
    kworker.cmdline = Some(Vec::new());
    fake.add(&kworker);
    // SCHED_FIFO at rtprio 50 with a nice value of 5 left over.
    let mut fifo = FakeTask::new(10, 1, "rt");
    fifo.policy = 1;
    fifo.rt_priority = 50;
    fifo.priority = -51;
    fifo.nice = 5;
    fake.add(&fifo);
    let mut batch = FakeTask::new(11, 1, "batch");
    batch.policy = 3;
    batch.nice = 3;
    batch.priority = 23;
    fake.add(&batch);
    let mut idle = FakeTask::new(12, 1, "idle");
    idle.policy = 5;
    idle.priority = 39;
    fake.add(&idle);
    // Terminals: pts/300 (minor 300 = low byte 0x2c, high part 0x100) and ttyS1.
    let mut pts = FakeTask::new(20, 1, "bash");
    pts.tty_nr = (136 << 8) | 0x2c | (0x100 << 12);
    pts.tpgid = 20;
    pts.uid = 4242;
    fake.add(&pts);
    let mut serial = FakeTask::new(21, 1, "getty");
    serial.tty_nr = (4 << 8) | 65;
    fake.add(&serial);
    // A zombie, and a main thread that exited while another thread runs.
    let mut zombie = FakeTask::new(30, 20, "defunct-child");
    zombie.state = 'Z';
    zombie.session = 20;
    zombie.pgrp = 20;
    zombie.vm = None;
    zombie.cmdline = Some(Vec::new());
    fake.add(&zombie);
    let mut zl = FakeTask::new(31, 20, "zl");
    zl.state = 'Z';
    zl.threads = 2;
    zl.session = 20;
    fake.add(&zl);
    // Hostile names and command lines.
    let mut hostile = FakeTask::new(40, 1, "x");
    hostile.comm = b"a) (b\nc:\xffd".to_vec();
    hostile.cmdline = Some(b"prog\0\0arg two\0new\nline\0\xff\0".to_vec());
    fake.add(&hostile);
    let mut locked = FakeTask::new(41, 1, "locker");
    locked.vm = Some((5000, 1000, 64));
    locked.nice = -5;
    locked.priority = 15;
    fake.add(&locked);
    // A pid directory whose files vanished (the process exited mid-scan).
    fake.write("50/cmdline", b"");
    // A process whose status cannot be read (a directory where a file was).
    let mut unreadable = FakeTask::new(60, 1, "secret");
    unreadable.cmdline = None;
    fake.add(&unreadable);
    std::fs::remove_file(fake.path().join("60/status")).unwrap();
    std::fs::create_dir(fake.path().join("60/status")).unwrap();
    fake
}

/// pscope in ps syntax on the fixture: every process (`-e`) unless the
/// arguments select some.
fn ps(fake: &FakeProc, args: &[&str]) -> (String, String, i32) {
    const SELECTIONS: &[&str] = &[
        "-e", "-A", "-p", "--pid", "-C", "--ppid", "-t", "-u", "-U", "-G", "-g", "-s", "--sid",
        "-q",
    ];
    let all: &[&str] = if args.iter().any(|a| SELECTIONS.contains(a)) {
        &[]
    } else {
        &["-e"]
    };
    let out = pscope()
        .args(["--proc-root", &fake.root_arg()])
        .args(all)
        .args(args)
        .output()
        .unwrap();
    (stdout(&out), stderr(&out), out.status.code().unwrap_or(-1))
}

fn row(text: &str, pid: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .find(|cols| cols.first().map(String::as_str) == Some(pid))
        .unwrap_or_else(|| panic!("no row for pid {pid} in:\n{text}"))
}

#[test]
fn scheduling_columns_follow_ps_rules() {
    let fake = fixture();
    let (out, err, code) = ps(&fake, &["-o", "pid,stat,ni,pri,opri,priority,rtprio,cls"]);
    assert_eq!(code, 0, "{err}");
    // FIFO: NI is '-' whatever the nice field says; STAT still shows N.
    assert_eq!(
        row(&out, "10"),
        ["10", "SNs", "-", "90", "9", "-51", "50", "FF"]
    );
    assert_eq!(
        row(&out, "11"),
        ["11", "SNs", "3", "16", "83", "23", "0", "B"]
    );
    assert_eq!(
        row(&out, "12"),
        ["12", "Ss", "-", "0", "99", "39", "0", "IDL"]
    );
    assert_eq!(
        row(&out, "3"),
        ["3", "I<", "-20", "39", "60", "0", "-", "TS"]
    );
    assert_eq!(
        row(&out, "41"),
        ["41", "S<Ls", "-5", "24", "75", "15", "-", "TS"]
    );
    assert_eq!(
        row(&out, "1"),
        ["1", "Ssl", "0", "19", "80", "20", "-", "TS"]
    );
}

#[test]
fn terminals_users_and_foreground() {
    let fake = fixture();
    let (out, _, _) = ps(&fake, &["-o", "pid,tty,stat,uid,user"]);
    // A terminal is named only by a file under /dev that is this device
    // (see ps_reads_the_fixture_as_pscope_does, which makes them): here
    // there is none, and ps and pscope print `?`.
    let pts_300 = std::path::Path::new("/dev/pts/300").exists();
    let shown = if pts_300 { "pts/300" } else { "?" };
    assert_eq!(row(&out, "20"), ["20", shown, "Ss+", "4242", "4242"]);
    assert_eq!(row(&out, "1")[1], "?");
    assert_eq!(row(&out, "1")[4], "root");
}

#[test]
fn zombies_kernel_threads_and_hostile_names() {
    let fake = fixture();
    let (out, _, _) = ps(&fake, &["-o", "pid,stat,args"]);
    let has = |text: &str, line: &str| text.lines().any(|l| l.trim_start() == line);
    assert!(has(&out, "30 Z    [defunct-child] <defunct>"), "{out}");
    assert!(has(&out, "2 S    [kthreadd]"), "{out}");
    // A process whose main thread alone has exited keeps its command line;
    // ps marks only an empty one <defunct>.
    assert!(has(&out, "31 Zl   zl"), "{out}");
    // Empty arguments stay (two spaces), the newline becomes a space, and
    // from the invalid byte on, ps's byte-wise escaping applies.
    assert!(has(&out, "40 Ss   prog  arg two new line ?"), "{out}");
    let (out, _, _) = ps(&fake, &["-o", "pid,comm"]);
    assert!(has(&out, "40 a) (b?c:?d"), "{out}");
    let (out, _, _) = pscope()
        .env("LC_ALL", "C")
        .args([
            "--proc-root",
            &fake.root_arg(),
            "-o",
            "pid,comm",
            "-p",
            "40",
        ])
        .output()
        .map(|o| (stdout(&o), stderr(&o), 0))
        .unwrap();
    assert!(out.contains("a) (b.c:?d"), "{out}");
}

#[test]
fn vanished_and_unreadable_processes() {
    let fake = fixture();
    let (out, err, code) = ps(&fake, &["-o", "pid,user,rss,%mem,stat,args"]);
    assert_eq!(code, 0);
    assert!(err.is_empty(), "a vanished process is not an error: {err}");
    assert!(
        !out.lines().any(|l| l.trim_start().starts_with("50 ")),
        "{out}"
    );
    // Unreadable status: as ps, the directory's owner is the user and the
    // memory lines are 0; STAT without L; cmdline '[comm]'.
    assert_eq!(
        row(&out, "60"),
        ["60", "root", "0", "0.0", "Ss", "[secret]"]
    );
}

#[test]
fn json_has_typed_values_and_nulls() {
    let fake = fixture();
    let (out, err, code) = ps(&fake, &["--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["schema_version"], 1);
    let procs = doc["processes"].as_array().unwrap();
    let find = |pid: i64| procs.iter().find(|p| p["pid"] == pid).unwrap().clone();
    let fifo = find(10);
    assert_eq!(fifo["nice"], serde_json::Value::Null);
    assert_eq!(fifo["rtprio"], 50);
    assert_eq!(fifo["policy"], "FF");
    let bash = find(20);
    // No /dev/pts/300 here: no name, but the number.
    if !std::path::Path::new("/dev/pts/300").exists() {
        assert_eq!(bash["tty"], serde_json::Value::Null);
    }
    assert_eq!(bash["tty_nr"], (136 << 8) | 0x2c | (0x100 << 12));
    assert_eq!(bash["stat"], "Ss+");
    assert_eq!(bash["stat_flags"], serde_json::json!(["s", "+"]));
    assert_eq!(bash["rss_kb"], 2000);
    assert_eq!(bash["uid"], 4242);
    assert!(bash["start_time"].as_str().unwrap().contains('T'));
    let zombie = find(30);
    assert_eq!(zombie["kind"], "zombie");
    assert_eq!(zombie["state_name"], "zombie");
    assert_eq!(find(31)["kind"], "exited-main-thread");
    let hostile = find(40);
    assert_eq!(hostile["comm"], "a) (b\nc:\u{fffd}d");
    assert_eq!(
        hostile["cmdline"],
        serde_json::json!(["prog", "", "arg two", "new\nline", "\u{fffd}"])
    );
    let unreadable = find(60);
    // The owner of its directory, as ps takes it.
    assert_eq!(unreadable["user"], "root");
    assert_eq!(unreadable["rss_kb"], serde_json::Value::Null);
    assert_eq!(unreadable["cmdline"], serde_json::Value::Null);
}

#[test]
fn jsonl_is_one_object_per_line() {
    let fake = fixture();
    let (out, _, _) = ps(&fake, &["--format", "jsonl"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13);
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["schema_version"], 1);
        assert!(v["pid"].is_i64());
    }
}

#[test]
fn selection_sorting_and_headers() {
    let fake = fixture();
    let pids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--no-headers", "-o", "pid"];
        a.extend_from_slice(args);
        ps(&fake, &a)
            .0
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(pids(&["-p", "10,12"]), ["10", "12"]);
    assert_eq!(pids(&["--ppid", "20"]), ["30", "31"]);
    assert_eq!(pids(&["-C", "batch", "-p", "1"]), ["1", "11"]);
    // ps looks terminals up in /dev (a fixture's pts/300 is not there);
    // `-` is "no terminal".
    assert!(!pids(&["-t", "-"]).contains(&"20".to_string()));
    assert!(!pids(&["-t", "-"]).contains(&"21".to_string()));
    assert!(pids(&["-t", "-"]).contains(&"1".to_string()));
    assert_eq!(pids(&["--state", "Z"]), ["30", "31"]);
    assert_eq!(pids(&["--name", "^k"]), ["2", "3"]);
    assert_eq!(pids(&["--sid", "20", "--sort", "-pid"]), ["31", "30", "20"]);
    assert_eq!(pids(&["-u", "4242"]), ["20"]);
    let sorted = pids(&["--sort", "-ni,pid", "-p", "1,3,11,41"]);
    assert_eq!(sorted, ["11", "1", "41", "3"]);
    let (out, _, _) = ps(&fake, &["-o", "pid=ID,comm=NAME", "-p", "1"]);
    assert_eq!(out.lines().next().unwrap().trim(), "ID NAME");
}

#[test]
fn threads_get_rows_of_their_own() {
    let fake = fixture();
    let init = FakeTask::new(1, 0, "init");
    let mut worker = FakeTask::new(7, 0, "worker");
    worker.nice = 4;
    worker.priority = 24;
    worker.threads = 2;
    worker.session = 1;
    fake.add_thread(&init, &worker);
    let (out, err, code) = ps(&fake, &["-L", "-p", "1", "-o", "pid,lwp,stat,ni,comm"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["1", "1", "Ssl", "0", "init"],
            vec!["1", "7", "SNsl", "4", "worker"]
        ]
    );
}

#[test]
fn errors_have_one_line_and_documented_codes() {
    let fake = fixture();
    // In ps syntax, ps's messages and status.
    let (out, err, code) = ps(&fake, &["-o", "pid,bogus"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "error: unknown user-defined format specifier \"bogus\"\n"
    );
    let (_, err, code) = ps(&fake, &["-p", "999"]);
    assert_eq!(code, 1, "nothing matched");
    assert!(err.is_empty());
    let (_, err, code) = ps(&fake, &["--no-such-flag"]);
    assert_eq!(code, 1);
    assert_eq!(err, "error: unknown gnu long option\n");
    let (_, err, code) = ps(&fake, &["-u", "no-such-user-here"]);
    assert_eq!(code, 1);
    assert_eq!(err, "error: user name does not exist\n");
    let (_, err, code) = ps(&fake, &["--name", "("]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = run(&["--proc-root", "/nonexistent/proc"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("/nonexistent/proc"));
}

#[test]
fn malformed_stat_is_skipped_with_one_warning() {
    let fake = fixture();
    fake.write("70/stat", b"70 (broken");
    fake.write("71/stat", b"garbage without shape\n");
    fake.write("72/stat", b"72 (x) S 1 2\n");
    let (out, err, code) = ps(&fake, &["-o", "pid"]);
    assert_eq!(code, 0);
    assert_eq!(err.lines().count(), 3, "{err}");
    assert!(err.contains("70/stat"), "{err}");
    assert!(!out.contains("70") && out.contains("41"));
}

#[test]
fn environment_variable_names_the_root() {
    let fake = fixture();
    let out = pscope()
        .env("PSCOPE_PROC_ROOT", fake.path())
        .args(["-o", "pid", "--no-headers", "-p", "41"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), "41");
}

#[test]
fn malformed_system_files_name_the_file() {
    for (file, contents) in [
        ("uptime", &b"not a number\n"[..]),
        ("stat", b"cpu 1 2 3\n"),
        ("meminfo", b"\xff\xfe"),
    ] {
        let fake = fixture();
        fake.write(file, contents);
        let out = pscope()
            .args(["--proc-root", &fake.root_arg()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{file}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("/{file}: unexpected contents")),
            "{err}"
        );
    }
}

#[test]
fn parallel_reading_lists_what_one_thread_lists_in_pid_order() {
    // Enough processes for several blocks on several threads, with holes:
    // one malformed stat and one process whose files are gone.
    let fake = FakeProc::new(1000.0);
    for pid in 1..=1000 {
        let ppid = if pid == 1 { 0 } else { 1 + pid % 7 };
        fake.add(&FakeTask::new(pid, ppid, &format!("p{pid}")));
    }
    fake.write("700/stat", b"700 (broken");
    std::fs::remove_dir_all(fake.path().join("900")).unwrap();
    let listing = |jobs: &str| {
        let out = pscope()
            .args(["--proc-root", &fake.root_arg(), "--jobs", jobs])
            .args(["-o", "pid,ppid,stat,comm", "--no-headers"])
            .output()
            .unwrap();
        (stdout(&out), stderr(&out))
    };
    let (one, one_err) = listing("1");
    let pids: Vec<i32> = one
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 998);
    assert!(pids.windows(2).all(|w| w[0] < w[1]));
    assert!(!pids.contains(&700) && !pids.contains(&900));
    assert_eq!(one_err.lines().count(), 1, "{one_err}");
    assert!(one_err.contains("700/stat"), "{one_err}");
    for jobs in ["2", "3", "8"] {
        let (many, many_err) = listing(jobs);
        assert_eq!(many, one, "--jobs {jobs}");
        assert_eq!(many_err, one_err, "--jobs {jobs}");
    }
}

#[test]
fn files_larger_than_the_read_buffer_are_read_whole() {
    let fake = fixture();
    // 40,000 arguments of 5 bytes: far beyond one read of the buffer.
    let args: Vec<String> = (0..40_000).map(|i| format!("a{i:04}")).collect();
    let mut long = FakeTask::new(90, 1, "long");
    long.cmdline = Some(
        args.iter()
            .flat_map(|a| [a.as_bytes(), b"\0"].concat())
            .collect(),
    );
    fake.add(&long);
    let (out, _, code) = ps(&fake, &["--json", "-p", "90"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["processes"][0]["cmdline"], serde_json::json!(args));
}

/// Runs `program args` where the fixture is /proc: in mount and PID
/// namespaces of its own (where the program is PID 1, so that the status ps
/// looks up for itself is the fixture's init), with the fixture copied into
/// a tmpfs over /proc and a /dev of its own holding `devices` (path, major,
/// minor) besides /dev/null.
fn in_fixture(
    fake: &FakeProc,
    devices: &[(&str, u32, u32)],
    program: &str,
    args: &[&str],
) -> Output {
    // tmpfs lists entries in the order they were made, or its reverse,
    // depending on the kernel (asked first); they are copied so that
    // processes are listed in PID order, as /proc lists them.
    let mut script = format!(
        "mount -t tmpfs fixture /proc && mkdir /proc/a /proc/b && \
         order='sort -n' && [ \"$(ls -f /proc | grep -x '[ab]' | head -1)\" = b ] && \
         order='sort -rn'; rmdir /proc/a /proc/b && \
         for e in $(ls -A '{0}' | $order); do cp -a '{0}'/\"$e\" /proc/; done && \
         mount -t tmpfs devices /dev && mknod /dev/null c 1 3 && chmod 666 /dev/null",
        fake.root_arg()
    );
    for (path, major, minor) in devices {
        script.push_str(&format!(
            " && mkdir -p \"$(dirname /dev/{path})\" && mknod /dev/{path} c {major} {minor}"
        ));
    }
    script.push_str(" && exec \"$0\" \"$@\"");
    std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--pid", "--fork"])
        .args(["sh", "-c", &script, program])
        .args(args)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap()
}

#[test]
fn ps_reads_the_fixture_as_pscope_does() {
    if !need("ps") || !need("unshare") || !need_root("mounting a fake /proc") {
        return;
    }
    let fake = fixture();
    // ps reads its own stat at start (for its terminal and user); pscope
    // never lists `self`, which is not a number.
    let me = FakeTask::new(99, 1, "ps");
    fake.write("self/stat", &me.stat_line());
    fake.write("self/status", &me.status_text());
    // A console on a driver of its own: only the driver table names it.
    let mut console = FakeTask::new(22, 1, "agetty");
    console.tty_nr = 229 << 8;
    fake.add(&console);
    fake.write(
        "tty/drivers",
        b"/dev/tty             /dev/tty        5       0 system:/dev/tty\n\
          hvc                  /dev/hvc      229 0-7 system\n\
          serial               /dev/ttyS       4 64-111 serial\n\
          pty_slave            /dev/pts      136 0-1048575 pty:slave\n\
          unknown              /dev/tty        4 1-63 console\n",
    );
    // ps's library reads /proc/stat whole, as the kernel writes it.
    fake.write(
        "stat",
        format!(
            "cpu  10 0 10 1000 0 0 0 0 0 0\ncpu0 10 0 10 1000 0 0 0 0 0 0\nintr 0\nctxt 0\n\
             btime {}\nprocesses 100\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
            fake.btime
        )
        .as_bytes(),
    );
    // And /proc/cpuinfo, to know the cores.
    fake.write(
        "cpuinfo",
        b"processor\t: 0\nphysical id\t: 0\ncore id\t\t: 0\ncpu cores\t: 1\n\n",
    );
    // Round robin and deadline policies, which a machine rarely runs.
    let mut rr = FakeTask::new(23, 1, "rr");
    rr.policy = 2;
    rr.rt_priority = 99;
    rr.priority = -100;
    fake.add(&rr);
    let mut deadline = FakeTask::new(24, 1, "dl");
    deadline.policy = 6;
    deadline.priority = -101;
    fake.add(&deadline);
    // Control groups of services, user sessions, containers and none.
    for (pid, cgroup) in [
        (1, "0::/init.scope\n"),
        (10, "0::/system.slice/rt-daemon.service\n"),
        (
            11,
            "0::/user.slice/user-4242.slice/user@4242.service/app.slice/batch.scope\n",
        ),
        (12, "0::/user.slice/user-4242.slice/session-7.scope\n"),
        (
            20,
            "12:pids:/lxc/web1\n11:memory:/lxc/web1\n0::/lxc.payload.web1/init.scope\n",
        ),
        (21, "0::/machine.slice/machine-qemu\\x2d1\\x2dvm.scope\n"),
        (23, "0::/\n"),
    ] {
        fake.write(&format!("{pid}/cgroup"), cgroup.as_bytes());
    }
    let devices = [("pts/300", 136, 300), ("ttyS1", 4, 65), ("hvc0", 229, 0)];
    let pscope_path = env!("CARGO_BIN_EXE_pscope");
    for args in [
        "-e -o pid,cls,rtprio,pri,ni,priority,opri,policy,sched,stat,comm",
        "-e -o pid,tty,tname,tt,tpgid,stat,user,uid,comm",
        "-e -o pid,user,uid,%mem,vsz,rss,stat,comm",
        "-e -o pid,cgroup,cgname,comm",
        "-e -o pid,unit,uunit,slice,ouid,lsession,lxc,comm",
        "-el",
        "-ef",
        "aux",
        "-ejH",
        "axjf",
        "-t pts/300,hvc0 -o pid,tty,comm",
        "-eLf",
        "-eLo pid,lwp,nlwp,stat,tty,comm",
    ] {
        if args.starts_with("-eL") {
            // A status file that cannot be read (impossible on a real /proc,
            // where it is readable by all) makes ps's thread rows show PID 0:
            // an artifact of its library, left out.
            let _ = std::fs::remove_dir_all(fake.path().join("60"));
        }
        let args: Vec<&str> = args.split(' ').collect();
        let theirs = in_fixture(&fake, &devices, "ps", &args);
        assert!(theirs.status.success(), "ps {args:?}: {}", stderr(&theirs));
        let ours = in_fixture(&fake, &devices, pscope_path, &args);
        assert_eq!(stdout(&ours), stdout(&theirs), "{args:?}");
    }
}
