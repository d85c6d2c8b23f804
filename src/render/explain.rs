//! `explain` in words: STAT strings letter by letter, and the legend.

use super::schema::{Explained, Legend, Letter};
use crate::analysis::state::{self, Explanation, MODIFIERS, STATES};

/// The record of one explanation.
pub fn record(e: &Explanation) -> Explained {
    Explained {
        stat: e.stat.clone(),
        pid: e.pid,
        state: Letter::new(e.state, None),
        textbook_state: state::textbook_state(e.state.letter),
        modifiers: e
            .modifiers
            .iter()
            .map(|(code, why)| Letter::new(code, why.clone()))
            .collect(),
        absent: e
            .absent
            .iter()
            .map(|(code, why)| Letter::new(code, Some(why.clone())))
            .collect(),
    }
}

/// One explanation as text; `long` adds the longer meaning of each letter.
pub fn text(e: &Explanation, long: bool) -> String {
    let mut out = match e.pid {
        Some(pid) => format!("{} (process {pid})\n", e.stat),
        None => format!("{}\n", e.stat),
    };
    let mut line = |code: &state::Code, evidence: Option<&str>| {
        out.push_str(&format!("  {}  {}", code.letter, code.short));
        if let Some(evidence) = evidence {
            out.push_str(&format!(" [{evidence}]"));
        }
        out.push('\n');
        if long {
            out.push_str(&format!("     {}\n", code.long));
        }
    };
    line(e.state, None);
    for (code, why) in &e.modifiers {
        line(code, why.as_deref());
    }
    out.push_str(&format!(
        "  textbook state: {}\n",
        state::textbook_state(e.state.letter)
    ));
    if !e.absent.is_empty() {
        out.push_str("  not set:\n");
        for (code, why) in &e.absent {
            out.push_str(&format!("    {}  {}\n", code.letter, why));
        }
    }
    out
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

pub fn legend_record() -> Legend {
    Legend {
        states: STATES.iter().map(|c| Letter::new(c, None)).collect(),
        modifiers: MODIFIERS.iter().map(|c| Letter::new(c, None)).collect(),
    }
}
