//! pscope is ps: every invocation of a corpus of everyday ps command lines,
//! and `-e -o pid,KEY` for every keyword, prints what the installed
//! procps-ng ps prints, byte for byte: the same header, and every line ps
//! printed the same in two runs (before and after pscope's) is printed by
//! pscope too, in ps's order. In UTF-8 and C locales, as root and as
//! nobody, through `pscope ARGS` and through a link named `ps`.

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

/// Everyday ps command lines: the lesson's, the runbooks', and their
/// mixtures with selections, sorting and threads.
const CORPUS: &[&str] = &[
    "",
    "-e",
    "-A",
    "aux",
    "-aux",
    "ax",
    "axu",
    "-ef",
    "-eF",
    "-ely",
    "-el",
    "-ej",
    "-ejH",
    "-ajx",
    "-ejf",
    "axjf",
    "ajx",
    "axf",
    "-e --forest",
    "-eLf",
    "-eLF",
    "-eL",
    "-eT",
    "axH",
    "-e -o pid,ppid,stat,ni,comm",
    "-eo pid,ppid,pgid,sid,tpgid,tty,stat,comm",
    "-eo pid,user,%cpu,%mem,vsz,rss,stat,start,time,args --sort=-pid",
    "-e -o pid,comm --sort=comm",
    "-e -o pid,ni,pri,opri,priority,rtprio,cls,policy,sched",
    "-e -o pid,etime,etimes,start_time,stime,bsdstart,lstart,bsdtime,time",
    "ax -o pid,tname,stat,bsdtime,args",
    "-e -o pid= -o comm=",
    "-e -o pid:10,comm:5,args:12",
    "-e -o pid=ID,comm=NAME",
    "-eO ppid,nice",
    "axo pid,ppid,stat",
    "ax k -pid",
    "-e --sort=ppid,-pid -o pid,ppid",
    "-p 1",
    "-p 1,2 -f",
    "p 1 u",
    "--pid 1 --ppid 2 -o pid,ppid,comm",
    "-u root -o pid,user,comm",
    "-U 0 -o pid,ruser",
    "-C bash -o pid,comm",
    "-t - -o pid,tty",
    "-e -N -o pid",
    "axr",
    "-e --no-headers -o pid,comm",
    "ax -o pid,nlwp,thcount,lwp",
    "axms",
    "-em -o pid,tid,stat,comm",
    "ax v",
    "ax s",
    "ax l",
    "ax j",
    "-e -c",
    "-e -P",
    "-e -o pid,wchan:20,comm",
    "-e -o pid,f,s,c,sz,psr,lim",
];

fn program_output(program: &Path, args: &[&str], env: &[(&str, &str)], as_nobody: bool) -> Output {
    let mut cmd = if as_nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args)
        .env_remove("PSCOPE_PROC_ROOT")
        .env_remove("COLUMNS")
        .env_remove("PS_FORMAT")
        .env_remove("PS_PERSONALITY")
        .env("TZ", "UTC")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

/// Lines that appear in both runs, with how many times.
fn stable(a: &str, b: &str) -> HashMap<String, usize> {
    let mut in_b: HashMap<&str, usize> = HashMap::new();
    for line in b.lines().skip(1) {
        *in_b.entry(line).or_default() += 1;
    }
    let mut both = HashMap::new();
    for line in a.lines().skip(1) {
        if let Some(n) = in_b.get_mut(line) {
            if *n > 0 {
                *n -= 1;
                *both.entry(line.to_string()).or_default() += 1;
            }
        }
    }
    both
}

/// Drops the lines of ps's own process from its output: the line with its
/// PID and, with `m`, the thread lines that follow it (which show no PID,
/// so two runs of ps would print them alike).
fn without_own_lines(text: &str, own_pid: u32) -> String {
    let own = own_pid.to_string();
    let mut out = String::new();
    let mut in_own_block = false;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let mine = words.contains(&own.as_str());
        // With `m`, a thread's line shows `-` where its process's shows the PID.
        let thread_line = words.iter().take(3).any(|w| *w == "-");
        if mine {
            in_own_block = true;
            continue;
        }
        if in_own_block && thread_line {
            continue;
        }
        in_own_block = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// ps's output, without its own lines.
fn ps_run(args: &[&str], env: &[(&str, &str)], as_nobody: bool) -> (Output, String) {
    let ps = which("ps");
    let mut cmd = if as_nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&ps);
        c
    } else {
        Command::new(&ps)
    };
    cmd.args(args)
        .env_remove("COLUMNS")
        .env_remove("PS_FORMAT")
        .env_remove("PS_PERSONALITY")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("ps runs");
    // Through setpriv, ps keeps the PID setpriv had (it execs).
    let pid = child.id();
    let out = child.wait_with_output().expect("ps ends");
    let text = without_own_lines(&stdout(&out), pid);
    (out, text)
}

/// Compares one invocation; returns a description of what differs. ps
/// runs before, between and after two runs of pscope; a line all three
/// runs of ps printed alike must be in one of pscope's runs.
fn compare(pscope: &Path, args: &[&str], env: &[(&str, &str)], as_nobody: bool) -> Option<String> {
    let ours_args: Vec<&str> = if args.is_empty() && !pscope.ends_with("ps") {
        vec!["ps"]
    } else {
        args.to_vec()
    };
    let (first, a) = ps_run(args, env, as_nobody);
    let ours = program_output(pscope, &ours_args, env, as_nobody);
    let (_, between) = ps_run(args, env, as_nobody);
    let again = program_output(pscope, &ours_args, env, as_nobody);
    let (second, b) = ps_run(args, env, as_nobody);
    let p = stdout(&ours);
    let p2 = stdout(&again);
    if first.status.code() != ours.status.code() && second.status.code() != ours.status.code() {
        return Some(format!(
            "exit {:?} (ps: {:?}); stderr: {}",
            ours.status.code(),
            first.status.code(),
            stderr(&ours)
        ));
    }
    if stderr(&first).lines().next() != stderr(&ours).lines().next() && !stderr(&first).is_empty() {
        return Some(format!(
            "stderr {:?}, ps {:?}",
            stderr(&ours).lines().next(),
            stderr(&first).lines().next()
        ));
    }
    if a.lines().next() != p.lines().next() {
        return Some(format!(
            "header\n  pscope: {:?}\n  ps:     {:?}",
            p.lines().next(),
            a.lines().next()
        ));
    }
    // Stable: printed alike by all three runs of ps.
    let mut wanted = stable(&a, &b);
    let in_between = stable(&between, &between);
    wanted.retain(|line, n| {
        let m = in_between.get(line).copied().unwrap_or(0);
        *n = (*n).min(m);
        *n > 0
    });
    // The test's own processes (and cargo's, which started it) change while
    // they are listed.
    let own = [std::process::id(), nix::unistd::getppid().as_raw() as u32];
    wanted.retain(|line, _| {
        !line
            .split_whitespace()
            .any(|w| own.iter().any(|p| w == p.to_string()))
    });
    let mut have: HashMap<&str, usize> = HashMap::new();
    for line in p.lines().skip(1) {
        *have.entry(line).or_default() += 1;
    }
    let mut have2: HashMap<&str, usize> = HashMap::new();
    for line in p2.lines().skip(1) {
        *have2.entry(line).or_default() += 1;
    }
    let mut missing: Vec<&String> = wanted
        .iter()
        .filter(|(line, n)| {
            let count = |m: &HashMap<&str, usize>| m.get(line.as_str()).copied().unwrap_or(0);
            count(&have) < **n && count(&have2) < **n
        })
        .map(|(line, _)| line)
        .collect();
    if !missing.is_empty() {
        missing.sort();
        let shown: Vec<String> = missing.iter().take(4).map(|l| format!("  {l:?}")).collect();
        return Some(format!(
            "{} of {} stable lines missing, e.g.\n{}\n(pscope printed {} lines)",
            missing.len(),
            wanted.len(),
            shown.join("\n"),
            p.lines().count()
        ));
    }
    // The stable lines come in ps's order (each run checked on the lines it
    // has).
    let order = |text: &str| -> Vec<String> {
        text.lines()
            .skip(1)
            .filter(|l| wanted.contains_key(*l))
            .map(str::to_string)
            .collect()
    };
    // Lines printed more than once (threads alike, say) have no one place.
    let ps_order: Vec<String> = order(&a)
        .into_iter()
        .filter(|l| wanted.get(l) == Some(&1))
        .collect();
    let in_order = |ours: &str| {
        let got: Vec<String> = order(ours)
            .into_iter()
            .filter(|l| wanted.get(l) == Some(&1))
            .collect();
        let present: std::collections::HashSet<&String> = got.iter().collect();
        let expected: Vec<&String> = ps_order.iter().filter(|l| present.contains(l)).collect();
        got.iter().collect::<Vec<_>>() == expected
    };
    if !in_order(&p) && !in_order(&p2) {
        let got: Vec<String> = order(&p)
            .into_iter()
            .filter(|l| wanted.get(l) == Some(&1))
            .collect();
        let at = ps_order
            .iter()
            .zip(&got)
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        return Some(format!(
            "order differs at stable line {at}: pscope {:?}, ps {:?}",
            got.get(at),
            ps_order.get(at)
        ));
    }
    None
}

fn args_of(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A directory holding a link named `ps` to pscope.
fn ps_link() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ps");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_pscope"), &link).unwrap();
    (dir, link)
}

fn run_corpus(pscope: &Path, env: &[(&str, &str)], as_nobody: bool) -> Vec<String> {
    let mut failures = Vec::new();
    for line in CORPUS {
        let args = args_of(line);
        // Processes come and go: a difference is checked again once.
        let diff = compare(pscope, &args, env, as_nobody)
            .and_then(|_| compare(pscope, &args, env, as_nobody));
        if let Some(diff) = diff {
            failures.push(format!("ps {line}: {diff}"));
        }
    }
    failures
}

#[test]
fn the_corpus_prints_what_ps_prints() {
    if !need("ps") {
        return;
    }
    let pscope = PathBuf::from(env!("CARGO_BIN_EXE_pscope"));
    let mut failures = Vec::new();
    for locale in ["C.UTF-8", "C"] {
        for f in run_corpus(&pscope, &[("LC_ALL", locale)], false) {
            failures.push(format!("[{locale}] {f}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_link_named_ps_is_ps() {
    if !need("ps") {
        return;
    }
    let (_dir, link) = ps_link();
    let failures = run_corpus(&link, &[("LC_ALL", "C.UTF-8")], false);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Its version says which ps it speaks.
    let out = program_output(&link, &["--version"], &[], false);
    assert!(out.status.success());
}

#[test]
fn the_corpus_prints_what_ps_prints_as_nobody() {
    if !need("ps") || !need_root("running as nobody") || !need("setpriv") {
        return;
    }
    let (dir, link) = ps_link();
    // nobody must be able to reach the binary through the link's directory.
    let _ = std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    );
    let pscope = PathBuf::from(env!("CARGO_BIN_EXE_pscope"));
    let reachable = program_output(&pscope, &["--version"], &[], true)
        .status
        .success();
    let binary = if reachable { pscope } else { link };
    let failures = run_corpus(&binary, &[("LC_ALL", "C.UTF-8")], true);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Values that change with who is looking: a page's proportional share
/// shrinks while the reader (ps, or pscope) maps the same library, and the
/// two map different ones.
const OBSERVER_DEPENDENT: &[&str] = &["pss"];

/// The header byte for byte, and each process whose value ps gave alike
/// (within a tenth) before and after pscope's run: pscope's within a
/// tenth (or 512 kB) of the first.
fn compare_near(pscope: &Path, keyword: &str) -> Option<String> {
    let format = format!("pid,{keyword}");
    let args = ["-e", "-o", format.as_str()];
    let (_, before) = ps_run(&args, &[], false);
    let ours = stdout(&program_output(pscope, &args, &[], false));
    let (_, after) = ps_run(&args, &[], false);
    if before.lines().next() != ours.lines().next() {
        return Some(format!(
            "header {:?}, ps {:?}",
            ours.lines().next(),
            before.lines().next()
        ));
    }
    let values = |text: &str| -> HashMap<String, String> {
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                Some((w.next()?.to_string(), w.next().unwrap_or("").to_string()))
            })
            .collect()
    };
    let near = |a: &str, b: &str| match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() <= (a / 10).max(512),
        _ => a == b,
    };
    let (before, ours, after) = (values(&before), values(&ours), values(&after));
    let mut compared = 0;
    for (pid, value) in &before {
        let (Some(mine), Some(again)) = (ours.get(pid), after.get(pid)) else {
            continue;
        };
        if !near(value, again) {
            continue; // changing while listed
        }
        compared += 1;
        if !near(value, mine) {
            return Some(format!(
                "pid {pid}: pscope {mine:?}, ps {value:?} and {again:?}"
            ));
        }
    }
    (compared < 2).then(|| format!("only {compared} processes in common"))
}

#[test]
fn every_keyword_prints_what_ps_prints() {
    if !need("ps") {
        return;
    }
    let pscope = PathBuf::from(env!("CARGO_BIN_EXE_pscope"));
    let mut failures = Vec::new();
    for keyword in pscope::analysis::keywords::KEYWORDS {
        if keyword.name == "kind" {
            continue; // pscope's own
        }
        if OBSERVER_DEPENDENT.contains(&keyword.name) {
            if let Some(diff) = compare_near(&pscope, keyword.name) {
                failures.push(format!("-o pid,{}: {diff}", keyword.name));
            }
            continue;
        }
        let format = format!("pid,{}", keyword.name);
        for locale in ["C.UTF-8", "C"] {
            let args = ["-e", "-o", format.as_str()];
            let env = [("LC_ALL", locale)];
            let diff = compare(&pscope, &args, &env, false)
                .and_then(|_| compare(&pscope, &args, &env, false));
            if let Some(diff) = diff {
                failures.push(format!("[{locale}] -o {format}: {diff}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_options_get_ps_errors_and_status() {
    if !need("ps") {
        return;
    }
    let pscope = PathBuf::from(env!("CARGO_BIN_EXE_pscope"));
    let ps = which("ps");
    for line in [
        "-Q",
        "-o bogus",
        "-p abc",
        "--bogus",
        "-u no-such-user-xyz",
        "1 u",
        "-p ,1",
        "-L -T",
        "-f u",
        "--sort=bogus",
        "-y",
        "-a x",
    ] {
        let args = args_of(line);
        let theirs = program_output(&ps, &args, &[], false);
        let ours = program_output(&pscope, &args, &[], false);
        assert_eq!(ours.status.code(), theirs.status.code(), "ps {line}");
        assert_eq!(
            stderr(&ours).lines().next(),
            stderr(&theirs).lines().next(),
            "ps {line}"
        );
        assert_eq!(stderr(&ours).lines().count(), 1, "one line: ps {line}");
        let _ = OsStr::new(line);
    }
}
