//! pscope's values against procps-ng ps on the live machine. pscope runs
//! before and after ps; a field is compared wherever pscope's two runs agree,
//! since then it cannot have changed while ps ran.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::*;

/// Keyword groups; only the last may hold spaces. (psr is left out: a
/// process can move to another CPU and back between two runs.) ps gets wide user
/// columns (`user:64`) so that it does not abbreviate long names.
const GROUPS: &[&str] = &[
    "pid,ppid,pgid,sid,tpgid,tty,stat,ni,pri,nlwp,comm",
    "pid,user,ruser,uid,ruid,state,priority,opri,rtprio,cls,policy,nlwp,args",
    "pid,%cpu,%mem,vsz,rss,time,bsdtime,etime,etimes,start,stime,start_time,tname,cmd",
    "pid,euser,euid,tt,sess,pgrp,pcpu,pmem,rsz,vsize,cputime,ucomm",
    "pid,lstart",
];

fn ps_keywords(group: &str) -> String {
    group
        .split(',')
        .map(|k| match k {
            "user" | "ruser" | "euser" => format!("{k}:64"),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn listing(cmd: &mut Command, n: usize) -> HashMap<String, Vec<String>> {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{:?} failed: {}", cmd, stderr(&out));
    table_by_key(&stdout(&out), n)
}

/// Compares one keyword group, returns how many values were compared.
fn compare(group: &str, locale: &str) -> usize {
    let n = group.split(',').count();
    let pscope_args = |cmd: &mut Command| {
        cmd.env("LC_ALL", locale)
            .args(["-e", "--no-headers", "-o", group]);
    };
    let mut first = pscope();
    pscope_args(&mut first);
    let before = listing(&mut first, n);
    let ps = listing(
        Command::new("ps")
            .env("LC_ALL", locale)
            .env("TZ", "UTC")
            .args(["-e", "--no-headers", "-o", &ps_keywords(group)]),
        n,
    );
    let mut second = pscope();
    pscope_args(&mut second);
    let after = listing(&mut second, n);
    let names: Vec<&str> = group.split(',').collect();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (key, b) in &before {
        let (Some(a), Some(p)) = (after.get(key), ps.get(key)) else {
            continue;
        };
        for i in 0..n {
            if i == 0 || b[i] != a[i] {
                continue;
            }
            if renamed_kernel_worker(names[i], &b[i]) {
                continue;
            }
            compared += 1;
            if p[i] != b[i] && !transient_state(names[i], &p[i], &b[i]) {
                mismatches.push(format!(
                    "pid {key} {}: ps {:?} pscope {:?}",
                    names[i], p[i], b[i]
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{group}:\n{}", mismatches.join("\n"));
    compared
}

/// A task can wake up (R or D) for an instant and sleep again between
/// pscope's two runs; the state letter then differs while every modifier
/// must still agree.
fn transient_state(name: &str, ps: &str, ours: &str) -> bool {
    let awake_or_asleep = |s: &str| s.starts_with(['R', 'S', 'D', 'I']);
    matches!(name, "stat" | "state")
        && awake_or_asleep(ps)
        && awake_or_asleep(ours)
        && ps.get(1..) == ours.get(1..)
}

/// The kernel renames its workqueue workers (`kworker/0:0-events`) as they
/// take on other work, and back; such a name can differ and return between
/// two runs.
fn renamed_kernel_worker(name: &str, value: &str) -> bool {
    matches!(name, "comm" | "ucomm" | "args" | "cmd")
        && value.trim_start_matches('[').starts_with("kworker/")
}

/// Processes that give the comparison something to chew on: a zombie,
/// a niced process, hostile names, invalid UTF-8, empty arguments.
fn interesting_processes(procs: &mut Procs) -> Vec<tempfile::TempDir> {
    let mut dirs = Vec::new();
    procs.spawn(Command::new("sh").args(["-c", "sleep 0 & exec sleep 30"]));
    procs.spawn(Command::new("nice").args(["-n", "7", "sleep", "30"]));
    let (dir, path) = temp_copy_of("sleep", b"we ird) (x:y");
    procs.spawn(Command::new(&path).arg("30"));
    dirs.push(dir);
    let (dir, path) = temp_copy_of("sh", b"bad\xff\nname");
    procs.spawn(
        Command::new(&path)
            .args(["-c", "sleep 30; :", "tab\there", "", "nl\nx"])
            .arg(os(b"inv\xffalid"))
            .arg(os("é \u{1b}[31m".as_bytes())),
    );
    dirs.push(dir);
    if need("chrt") {
        procs.spawn(Command::new("chrt").args(["-f", "10", "sleep", "30"]));
        procs.spawn(Command::new("chrt").args(["-b", "0", "sleep", "30"]));
        procs.spawn(Command::new("chrt").args(["-i", "0", "sleep", "30"]));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    dirs
}

#[test]
fn values_equal_procps_ps_for_every_keyword() {
    if !have("ps") {
        return skip("procps ps is not installed");
    }
    let mut procs = Procs::default();
    let _dirs = interesting_processes(&mut procs);
    let mut total = 0;
    for group in GROUPS {
        total += compare(group, "C.UTF-8");
    }
    assert!(total > 500, "only {total} values compared");
    // Without a UTF-8 locale ps escapes every non-ASCII byte; so must we.
    compare("pid,comm", "C");
    compare("pid,args", "C");
}

#[test]
fn thread_rows_equal_ps_dash_l() {
    if !have("ps") {
        return skip("procps ps is not installed");
    }
    // Key on the LWP column (index 1): thread ids are unique.
    let group = "lwp,pid,stat,ni,pri,nlwp,time,comm";
    let n = group.split(',').count();
    let run_pscope = || listing(pscope().args(["-e", "-L", "--no-headers", "-o", group]), n);
    let before = run_pscope();
    let ps = listing(
        Command::new("ps")
            .env("LC_ALL", "C.UTF-8")
            .args(["-e", "-L", "--no-headers", "-o", group]),
        n,
    );
    let after = run_pscope();
    let mut compared = 0;
    for (lwp, b) in &before {
        let (Some(a), Some(p)) = (after.get(lwp), ps.get(lwp)) else {
            continue;
        };
        for i in 1..n {
            if a[i] == b[i] {
                compared += 1;
                if i != 2 || !transient_state("stat", &p[i], &b[i]) {
                    assert_eq!(p[i], b[i], "lwp {lwp} column {i}");
                }
            }
        }
    }
    assert!(compared > 100, "only {compared} values compared");
}
