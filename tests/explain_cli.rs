//! `pscope explain`: decoding STAT strings offline.

mod common;

use common::*;

#[test]
fn decodes_each_flag_in_words() {
    let out = run(&["explain", "Ssl+"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for expected in [
        "S  interruptible sleep",
        "s  is a session leader",
        "l  is multi-threaded",
        "+  is in the foreground process group",
        "textbook state: blocked",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let long = stdout(&run(&["explain", "--long", "Z"]));
    assert!(long.contains("wait()"), "{long}");
    assert!(long.contains("textbook state: terminated"));
}

#[test]
fn every_letter_has_a_meaning() {
    for stat in [
        "R", "S", "D", "T", "t", "Z", "X", "I", "P", "W", "K", "R<", "SN", "SL", "Ss", "Sl", "S+",
        "S<Lsl+",
    ] {
        let out = run(&["explain", "--json", stat]);
        assert_eq!(out.status.code(), Some(0), "{stat}");
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let e = &v["explained"][0];
        assert_eq!(e["stat"], stat);
        assert!(!e["state"]["meaning"].as_str().unwrap().is_empty());
        assert_eq!(
            e["modifiers"].as_array().unwrap().len(),
            stat.chars().count() - 1
        );
    }
}

#[test]
fn bad_strings_name_the_character_and_position() {
    for (input, needle) in [
        ("Q", "'Q' at position 1"),
        ("SQ", "'Q' at position 2"),
        ("sS", "'s' at position 1"),
        ("S<N", "'N' at position 3"),
        ("Sss", "'s' at position 3: repeated"),
        ("Sls", "'s' at position 3: out of order"),
        ("", "empty"),
    ] {
        let out = run(&["explain", input]);
        assert_eq!(out.status.code(), Some(2), "{input:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{input:?}: {err}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn legend_lists_every_code() {
    let text = stdout(&run(&["explain", "--legend"]));
    assert!(text.starts_with("PROCESS STATE CODES"));
    for letter in [
        "R", "S", "D", "T", "t", "Z", "X", "I", "P", "W", "K", "<", "N", "L", "s", "l", "+",
    ] {
        assert!(
            text.contains(&format!("\n  {letter}    ")),
            "missing {letter}"
        );
    }
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["explain", "--legend", "--json"]))).unwrap();
    assert_eq!(v["legend"]["states"].as_array().unwrap().len(), 11);
    assert_eq!(v["legend"]["modifiers"].as_array().unwrap().len(), 6);
}

/// A process whose main thread exited while another runs (`Zl`) is alive:
/// `explain --pid` and `show` say so in the same words.
#[test]
fn an_exited_main_thread_is_explained_as_show_explains_it() {
    let fake = FakeProc::new(1000.0);
    fake.add(&FakeTask::new(1, 0, "init"));
    let mut zl = FakeTask::new(40, 1, "worker");
    zl.state = 'Z';
    zl.threads = 3;
    fake.add(&zl);
    let root = fake.root_arg();
    let explained = stdout(&run(&["--proc-root", &root, "explain", "--pid", "40"]));
    let shown = stdout(&run(&["--proc-root", &root, "show", "40"]));
    let sentence = "the process is alive, not a zombie";
    assert!(explained.contains(sentence), "{explained}");
    assert!(shown.contains(sentence), "{shown}");
    assert!(
        !explained.contains("textbook state: terminated"),
        "{explained}"
    );
    assert!(explained.contains("textbook state: alive"), "{explained}");
    assert!(shown.contains("textbook  alive"), "{shown}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&[
        "--proc-root",
        &root,
        "explain",
        "--json",
        "--pid",
        "40",
    ])))
    .unwrap();
    assert!(json["explained"][0]["note"]
        .as_str()
        .unwrap()
        .contains(sentence));
}

/// The legend explains the scales a priority is written on: nice, top's
/// PR, pscope's PRI and ps -l's PRI, with a worked example.
#[test]
fn legend_explains_the_priority_scales() {
    let text = stdout(&run(&["explain", "--legend"]));
    assert!(text.contains("PRIORITY SCALES"), "{text}");
    assert!(
        text.contains("nice 9 shows as NI 9 in ps and top, as PR 29 in top, as PRI 10"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["explain", "--legend", "--json"]))).unwrap();
    assert_eq!(
        json["legend"]["priority_scales"].as_array().unwrap().len(),
        4
    );
}
