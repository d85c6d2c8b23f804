//! `pscope tree` against psmisc pstree on the live machine: a subtree the
//! test builds (stable while both run) must print line for line the same,
//! and every parent/child edge of the whole machine must agree.

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use common::*;

/// Builds a subtree with duplicates (for N*[...]), nesting, odd names,
/// an argument-less process, a zombie, threads and another user.
fn build_subtree(procs: &mut Procs) -> (u32, Vec<tempfile::TempDir>) {
    let mut dirs = Vec::new();
    let (dir, odd) = temp_copy_of("sleep", b"we ird) (x");
    dirs.push(dir);
    let (dir, backslash) = temp_copy_of("sleep", b"t\tab\\bs\xc3\xa9");
    dirs.push(dir);
    let mut script = format!(
        "sleep 60 & sleep 60 & sleep 60 &
         sh -c 'sleep 60 & sleep 60 & wait' &
         sh -c 'sleep 60 & sleep 60 & wait' &
         sh -c 'sleep 60; :' one 'two words' '' last &
         cat < /dev/zero > /dev/null &
         '{}' 60 &
         '{}' 60 &
         sh -c 'sleep 0 & exec sleep 60' &
        ",
        odd.display(),
        backslash.display()
    );
    if need("python3") {
        script.push_str(
            "python3 -c 'import threading, time
for _ in range(3): threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
time.sleep(60)' &\n",
        );
    }
    if need_root("a process of another user") && need("setpriv") {
        script.push_str(
            "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'sleep 60 & wait' &\n",
        );
    }
    script.push_str("wait\n");
    let root = procs.spawn(Command::new("sh").arg("-c").arg(script));
    // Wait until the subtree has settled: all children exec'd and the
    // zombie is there.
    let python = need("python3");
    wait_for("the subtree to settle", Duration::from_secs(10), || {
        let text = stdout(&run(&["tree", "-a", &root.to_string()]));
        let threads = stdout(&run(&["tree", "-p", &root.to_string()]));
        text.matches("sleep 60").count() >= 9
            && !text.contains("(sh)")
            && (!python || threads.matches("{python3}(").count() == 3)
    });
    std::thread::sleep(Duration::from_millis(200));
    (root, dirs)
}

fn pstree(args: &[&str], columns: Option<&str>) -> String {
    let mut cmd = Command::new("pstree");
    cmd.env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS")
        .args(args);
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    stdout(&cmd.output().unwrap())
}

fn ours(args: &[&str], columns: Option<&str>) -> String {
    let mut cmd = pscope();
    cmd.arg("tree").arg("--no-marks").args(args);
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn subtree_is_line_for_line_pstree() {
    if !have("pstree") {
        return skip("psmisc pstree is not installed");
    }
    let mut procs = Procs::default();
    let (root, _dirs) = build_subtree(&mut procs);
    let pid = root.to_string();
    let option_sets: &[&[&str]] = &[
        &[],
        &["-p"],
        &["-a"],
        &["-p", "-a"],
        &["-c"],
        &["-T"],
        &["-t", "-p"],
        &["-u"],
        &["-g"],
        &["-n"],
        &["-p", "-n"],
        &["-A"],
        &["-U"],
        &["-a", "-l"],
        &["-l", "-p"],
        &["-a", "-u", "-p"],
    ];
    let mut checked = 0;
    for options in option_sets {
        for columns in [None, Some("30"), Some("57")] {
            let mut args: Vec<&str> = options.to_vec();
            args.push(&pid);
            // pstree and pscope run back to back on a subtree that does
            // not change; retry once in case something did change.
            let (mut expected, mut got) = (pstree(&args, columns), ours(&args, columns));
            if expected != got {
                std::thread::sleep(Duration::from_millis(100));
                expected = pstree(&args, columns);
                got = ours(&args, columns);
            }
            assert_eq!(got, expected, "pstree {args:?} with COLUMNS={columns:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, option_sets.len() * 3);
    // -s shows the ancestors down to the subtree.
    let expected = pstree(&["-s", "-p", &pid], None);
    let got = ours(&["-s", "-p", &pid], None);
    let tail = |t: &str| {
        t.lines()
            .last()
            .map(|l| l.split(&pid).last().unwrap_or("").to_string())
    };
    assert_eq!(tail(&got), tail(&expected));
}

/// The label of PID 1 as pstree and pscope write it with ids: the text up
/// to the first connector. PID 1's process group is 0 in a container,
/// which pstree writes as nothing: `init()`.
#[test]
fn pid_1_with_group_ids_is_labelled_as_pstree_labels_it() {
    if !have("pstree") {
        return skip("psmisc pstree is not installed");
    }
    let label = |text: &str| {
        let line = text.lines().next().unwrap_or("").to_string();
        line.split(['-', '+']).next().unwrap_or("").to_string()
    };
    for options in [&["-g"][..], &["-g", "-p"], &["-p"]] {
        let mut args = options.to_vec();
        args.push("1");
        let expected = label(&pstree(&args, None));
        assert!(!expected.is_empty());
        assert_eq!(label(&ours(&args, None)), expected, "pstree {args:?}");
    }
}

#[test]
fn marks_show_zombies_in_the_tree() {
    let mut procs = Procs::default();
    let (root, _dirs) = build_subtree(&mut procs);
    let text = stdout(&run(&["tree", "-p", &root.to_string()]));
    let zombie_line = text.lines().find(|l| l.contains("<defunct>"));
    assert!(zombie_line.is_some(), "no zombie marked in:\n{text}");
    let text = stdout(&run(&["tree", "--stat", &root.to_string()]));
    assert!(text.lines().next().unwrap().starts_with("sh S"), "{text}");
    assert!(text.contains(" Z 0"), "{text}");
}

/// child pid -> parent pid, read from `-p -l` text by the column where
/// each label starts: a node's children all start 3 columns after its label.
fn edges(text: &str) -> HashMap<u32, u32> {
    let mut edges = HashMap::new();
    let mut parent_at: HashMap<usize, u32> = HashMap::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            // Skip drawing characters to the next label.
            if matches!(chars[i], ' ' | '|' | '`' | '-' | '+') {
                i += 1;
                continue;
            }
            let start = i;
            // A label ends at "(digits)" followed by a connector or the end.
            let mut end = None;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '(' {
                    let digits: String = chars[j + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    let close = j + 1 + digits.len();
                    if !digits.is_empty()
                        && chars.get(close) == Some(&')')
                        && (close + 1 == chars.len() || chars[close + 1] == '-')
                    {
                        end = Some((close + 1, digits.parse::<u32>().unwrap()));
                        break;
                    }
                }
                j += 1;
            }
            let Some((after, pid)) = end else { break };
            if let Some(&parent) = parent_at.get(&start) {
                edges.insert(pid, parent);
            }
            parent_at.insert(after + 3, pid);
            i = after;
        }
    }
    edges
}

#[test]
fn every_edge_of_the_machine_agrees_with_pstree() {
    if !have("pstree") {
        return skip("psmisc pstree is not installed");
    }
    let mut procs = Procs::default();
    let (_root, _dirs) = build_subtree(&mut procs);
    let theirs = edges(&pstree(&["-p", "-l", "-A"], None));
    let ours_text = ours(&["-p", "-l", "-A"], None);
    let mine = edges(&ours_text);
    assert!(theirs.len() > 20 && mine.len() > 20, "{}", ours_text);
    let mut compared = 0;
    for (child, parent) in &theirs {
        if let Some(p) = mine.get(child) {
            compared += 1;
            assert_eq!(p, parent, "parent of {child}");
        }
    }
    assert!(
        compared * 10 >= theirs.len() * 9,
        "only {compared} of {} edges in both",
        theirs.len()
    );
}

#[test]
fn errors_match_pstree() {
    let out = run(&["tree", "no-such-user-xyz"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "pscope: no such user: no-such-user-xyz"
    );
    let out = run(&["tree", "-s", "999999999"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).trim(), "pscope: process 999999999 not found");
    let out = run(&["tree", "12ab"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_nests_the_same_records_as_ps() {
    let mut procs = Procs::default();
    let (root, _dirs) = build_subtree(&mut procs);
    let out = run(&["tree", "--json", &root.to_string()]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["schema_version"], 1);
    let top = &doc["roots"][0];
    assert_eq!(top["pid"], root);
    let children = top["children"].as_array().unwrap();
    assert!(children.len() >= 9, "{children:?}");
    for child in children {
        assert_eq!(child["ppid"], root);
    }
    let ps = run(&["ps", "--json", "-p", &root.to_string()]);
    let ps: serde_json::Value = serde_json::from_str(&stdout(&ps)).unwrap();
    let ps_keys: Vec<&String> = ps["processes"][0].as_object().unwrap().keys().collect();
    let tree_keys: Vec<&String> = top
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "children" && *k != "threads")
        .collect();
    assert_eq!(tree_keys, ps_keys);
    assert!(children.iter().any(|c| c["kind"] == "normal"));
    let zombie_parent = children.iter().find(|c| {
        c["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind"] == "zombie")
    });
    assert!(zombie_parent.is_some(), "no zombie in the JSON tree");
    if need("python3") {
        let python = children.iter().find(|c| c["comm"] == "python3").unwrap();
        assert_eq!(python["threads"].as_array().unwrap().len(), 3);
    }
    let lines = stdout(&run(&["tree", "--format", "jsonl", &root.to_string()]));
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["depth"].as_i64(), first["pid"].as_u64()),
        (Some(0), Some(root as u64))
    );
    for line in lines.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["depth"].as_i64().unwrap() >= 1);
        assert!(v["parent"].is_i64());
    }
}
