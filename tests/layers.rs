//! The rooms of the code and their one-way doors: no module imports a room
//! above it, and `unsafe` and `libc` stay in the system-call room and the
//! demo's child code. README's "How the code is organised" draws the map.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each room and the rooms it may use.
const ROOMS: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("model", &[]),
    ("sys", &[]),
    ("source", &["model", "error"]),
    ("analysis", &["model", "sys"]),
    ("render", &["model", "analysis", "sys", "control"]),
    ("control", &["model", "analysis"]),
    (
        "demo",
        &[
            "model", "source", "analysis", "render", "control", "sys", "error",
        ],
    ),
    ("cli", &["render", "analysis"]),
    (
        "ui",
        &["model", "analysis", "render", "control", "source", "sys"],
    ),
    (
        "commands",
        &[
            "model", "source", "analysis", "render", "control", "demo", "sys", "error", "cli", "ui",
        ],
    ),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The room a source file belongs to: its folder, or its file name.
fn room_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap();
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The rooms a file names through `crate::ROOM` or `super::super::..`.
fn rooms_named(text: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            named.insert(name);
        }
        // `use crate::{a, b}` names several rooms at once.
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(0);
            for part in list[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    named.insert(name);
                }
            }
        }
    }
    named
}

#[test]
fn no_room_imports_a_room_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    for file in &all {
        let room = room_of(&src, file);
        let Some((_, allowed)) = ROOMS.iter().find(|(r, _)| *r == room) else {
            assert!(
                ["lib", "main"].contains(&room.as_str()),
                "{} is in no room",
                file.display()
            );
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for named in rooms_named(&text) {
            if named != room && !allowed.contains(&named.as_str()) {
                wrong.push(format!(
                    "{} uses {named}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run upward:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn unsafe_code_and_libc_stay_in_their_rooms() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    for file in &all {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let allowed = relative.starts_with("sys") || relative == "demo/child.rs";
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let unsafe_block = code.contains("unsafe {") || code.contains("unsafe fn");
            if (unsafe_block || code.contains("libc::")) && !allowed {
                wrong.push(format!("{relative}:{}: {}", n + 1, line.trim()));
            }
            if unsafe_block && allowed {
                // Every unsafe block says why it is sound.
                let before: Vec<&str> = text.lines().take(n + 1).collect();
                let justified = before.iter().rev().take(8).any(|l| l.contains("SAFETY:"));
                if !justified {
                    wrong.push(format!("{relative}:{}: unsafe without SAFETY", n + 1));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(lib.contains("#![deny(unsafe_code)]"));
}
