//! `explain` in words: STAT strings letter by letter, and the legend.

use super::schema::{Explained, Legend, Letter, PriorityScale};
use super::table::{self, Row};
use super::{Style, Tone};
use crate::analysis::sched::{scales_for_nice, PRIORITY_SCALES};
use crate::analysis::state::{self, Explanation, MODIFIERS, STATES};

/// The record of one explanation.
pub fn record(e: &Explanation) -> Explained {
    Explained {
        stat: e.stat.clone(),
        pid: e.pid,
        state: Letter::new(e.state, None),
        textbook_state: e.textbook_state,
        note: e.note,
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
    out.push_str(&format!("  textbook state: {}\n", e.textbook_state));
    if let Some(note) = e.note {
        out.push_str(&format!("  note: {note}\n"));
    }
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
    out.push_str(
        "\nPRIORITY SCALES\n\
         One priority, written on four scales. renice sets the nice value; for a \
         process of the normal policy the others follow from it:\n\n",
    );
    let headers = table::headers(&["SCALE", "RANGE", "WHERE"], &[]);
    let rows = PRIORITY_SCALES
        .iter()
        .map(|(scale, range, meaning)| Row {
            cells: vec![scale.to_string(), range.to_string(), meaning.to_string()],
            tone: Tone::Plain,
        })
        .collect();
    for line in table::render(&headers, rows, true, &Style::plain()).lines() {
        out.push_str(&format!("  {line}\n"));
    }
    let (pr, pri) = scales_for_nice(9);
    out.push_str(&format!(
        "\nFor example, nice 9 shows as NI 9 in ps and top, as PR {pr} in top, as PRI {pri} in \
         pscope and ps -o pri, and as PRI {} in ps -l.\n",
        pr + 60
    ));
    out
}

pub fn legend_record() -> Legend {
    Legend {
        states: STATES.iter().map(|c| Letter::new(c, None)).collect(),
        modifiers: MODIFIERS.iter().map(|c| Letter::new(c, None)).collect(),
        priority_scales: PRIORITY_SCALES
            .iter()
            .map(|&(scale, range, meaning)| PriorityScale {
                scale,
                range,
                meaning,
            })
            .collect(),
    }
}
