//! `pscope explain`: STAT strings in words, offline or for a live process.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::analysis::state::{self, Code, MODIFIERS, STATES};
use crate::cli::{ExplainArgs, Format};
use crate::error::{self, exit};
use crate::model::Task;
use crate::render::json;
use crate::render::{self};
use crate::source::{Needs, StatusNeed};

#[derive(Serialize)]
struct Letter {
    letter: char,
    meaning: &'static str,
    explanation: &'static str,
    /// Why the live process has (or lacks) this flag, for `--pid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<String>,
}

#[derive(Serialize)]
struct Explained {
    stat: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<i32>,
    state: Letter,
    textbook_state: &'static str,
    modifiers: Vec<Letter>,
    /// Modifiers the live process does not have, and why (`--pid` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    absent: Vec<Letter>,
}

fn letter(code: &Code, evidence: Option<String>) -> Letter {
    Letter {
        letter: code.letter,
        meaning: code.short,
        explanation: code.long,
        evidence,
    }
}

pub fn run(args: &ExplainArgs, cx: &Context) -> Result<i32> {
    if args.legend {
        return legend(cx);
    }
    let mut explained = Vec::new();
    if let Some(pid) = args.pid {
        explained.push(live(pid, cx)?);
    }
    for input in &args.stats {
        let decoded = state::decode(input).map_err(|e| error::usage(e.to_string()))?;
        explained.push(Explained {
            stat: input.clone(),
            pid: None,
            state: letter(decoded.state, None),
            textbook_state: state::textbook_state(decoded.state.letter),
            modifiers: decoded.modifiers.iter().map(|m| letter(m, None)).collect(),
            absent: Vec::new(),
        });
    }
    let text = match cx.format {
        Format::Json => json::document("explained", &explained)? + "\n",
        Format::Jsonl => json::lines(&explained)?,
        Format::Table => explained
            .iter()
            .map(|e| describe(e, args.long))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    render::emit(&text)?;
    Ok(exit::SUCCESS)
}

fn describe(e: &Explained, long: bool) -> String {
    let mut out = match e.pid {
        Some(pid) => format!("{} (process {pid})\n", e.stat),
        None => format!("{}\n", e.stat),
    };
    let mut line = |l: &Letter| {
        out.push_str(&format!("  {}  {}", l.letter, l.meaning));
        if let Some(evidence) = &l.evidence {
            out.push_str(&format!(" [{evidence}]"));
        }
        out.push('\n');
        if long {
            out.push_str(&format!("     {}\n", l.explanation));
        }
    };
    line(&e.state);
    for m in &e.modifiers {
        line(m);
    }
    out.push_str(&format!("  textbook state: {}\n", e.textbook_state));
    if !e.absent.is_empty() {
        out.push_str("  not set:\n");
        for a in &e.absent {
            out.push_str(&format!(
                "    {}  {}\n",
                a.letter,
                a.evidence.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

/// The STAT of a live process, with the fact behind each modifier.
fn live(pid: i32, cx: &Context) -> Result<Explained> {
    let needs = Needs {
        status: StatusNeed::Memory,
        ..Needs::default()
    };
    let task = cx
        .reader()?
        .process(pid, needs)
        .ok_or_else(|| error::not_found(format!("process {pid} not found")))?;
    let stat = state::stat_string(&task);
    let present = state::modifiers(&task);
    let code = state::state_code(task.stat.state).ok_or_else(|| {
        anyhow::anyhow!("process {pid} has an unknown state '{}'", task.stat.state)
    })?;
    let mut modifiers = Vec::new();
    let mut absent = Vec::new();
    for m in MODIFIERS {
        let why = evidence(&task, m.letter);
        if present.contains(&m.letter) {
            modifiers.push(letter(m, Some(why)));
        } else {
            absent.push(letter(m, Some(why)));
        }
    }
    Ok(Explained {
        stat,
        pid: Some(pid),
        state: letter(code, None),
        textbook_state: state::textbook_state(code.letter),
        modifiers,
        absent,
    })
}

/// The value in /proc that decides a modifier.
fn evidence(task: &Task, modifier: char) -> String {
    let s = &task.stat;
    match modifier {
        '<' | 'N' => format!("nice is {}", s.nice),
        'L' => match task.status.as_ref().and_then(|st| st.vm_lck_kb) {
            Some(kb) => format!("VmLck is {kb} kB"),
            None => "no locked memory reported (VmLck absent)".into(),
        },
        's' => format!(
            "session id {} {} pid {}",
            s.session,
            if s.session == task.tgid {
                "equals"
            } else {
                "differs from"
            },
            task.tgid
        ),
        'l' => format!(
            "{} thread{}",
            s.num_threads,
            if s.num_threads == 1 { "" } else { "s" }
        ),
        '+' => {
            if s.tpgid <= 0 {
                "no controlling terminal (tpgid -1)".into()
            } else {
                format!(
                    "process group {} {} the terminal's foreground group {}",
                    s.pgrp,
                    if s.pgrp == s.tpgid { "is" } else { "is not" },
                    s.tpgid
                )
            }
        }
        _ => String::new(),
    }
}

/// The whole table, laid out like the PROCESS STATE CODES of ps(1).
pub fn legend_text() -> String {
    let mut out = String::from(
        "PROCESS STATE CODES\n\
         Here are the different values that the STAT and S columns show for the state of a process:\n\n",
    );
    for code in STATES {
        out.push_str(&format!("  {}    {}\n", code.letter, code.short));
    }
    out.push_str("\nAfter the state letter, STAT may show these modifiers, in this order:\n\n");
    for code in MODIFIERS {
        out.push_str(&format!("  {}    {}\n", code.letter, code.short));
    }
    out
}

fn legend(cx: &Context) -> Result<i32> {
    let text = match cx.format {
        Format::Table => legend_text(),
        _ => {
            #[derive(Serialize)]
            struct Legend {
                states: Vec<Letter>,
                modifiers: Vec<Letter>,
            }
            let legend = Legend {
                states: STATES.iter().map(|c| letter(c, None)).collect(),
                modifiers: MODIFIERS.iter().map(|c| letter(c, None)).collect(),
            };
            json::document("legend", &legend)? + "\n"
        }
    };
    render::emit(&text)?;
    Ok(exit::SUCCESS)
}
