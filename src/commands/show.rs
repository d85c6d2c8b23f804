//! `pscope show PID`: one process in full.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::analysis::columns::{self, Field, RowContext};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::{psfmt, state};
use crate::cli::{Format, ShowArgs};
use crate::error::{self, exit};
use crate::model::Task;
use crate::render::json::{self, ProcessRecord};
use crate::render::table::{self, Row, Tone};
use crate::render::{self};
use crate::source::{Needs, StatusNeed};

#[derive(Serialize)]
struct Relative {
    pid: i32,
    comm: String,
}

#[derive(Serialize)]
struct Verdict {
    kind: &'static str,
    explanation: String,
}

#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    process: ProcessRecord,
    /// Null where the link cannot be read (another user's process,
    /// a kernel thread, a zombie).
    exe: Option<String>,
    cwd: Option<String>,
    /// Parent first, up to PID 1 (or the first ancestor not visible).
    ancestry: Vec<Relative>,
    children: Vec<Relative>,
    threads: Vec<ProcessRecord>,
    verdict: Verdict,
}

fn relative(task: &Task) -> Relative {
    Relative {
        pid: task.pid,
        comm: String::from_utf8_lossy(&task.stat.comm).into_owned(),
    }
}

pub fn run(args: &ShowArgs, cx: &Context) -> Result<i32> {
    let needs = Needs {
        status: StatusNeed::Ids,
        cmdline: true,
        ..Needs::default()
    };
    let reader = cx.reader()?;
    let snapshot = cx.scan_with(&reader, needs)?;
    let kinship = Kinship::new(&snapshot.tasks);
    let pid = args.pid;
    let task = kinship
        .get(pid)
        .ok_or_else(|| error::not_found(format!("process {pid} not found")))?;
    // Threads are read for this process alone (nice is per thread).
    let threads = reader.threads(
        task,
        Needs {
            thread_stat: true,
            thread_status: true,
            ..needs
        },
    );
    let row_cx = cx.rows(&snapshot);
    let kind = kinship.kind(task);
    let link = |name: &str| {
        reader
            .link(pid, name)
            .map(|p| p.to_string_lossy().into_owned())
    };
    let (exe, cwd) = (link("exe"), link("cwd"));
    let why_not = |r: &std::io::Result<String>| match r {
        Ok(_) => String::new(),
        Err(e) => format!("(not readable: {})", e.kind()),
    };
    let unreadable = [why_not(&exe), why_not(&cwd)];
    let shown = Shown {
        process: ProcessRecord::new(task, kind, &row_cx),
        exe: exe.ok(),
        cwd: cwd.ok(),
        ancestry: kinship.ancestors(task).into_iter().map(relative).collect(),
        children: kinship.children(pid).map(relative).collect(),
        threads: threads
            .iter()
            .map(|t| ProcessRecord::new(t, Kind::Normal, &row_cx))
            .collect(),
        verdict: verdict(task, kind, &kinship),
    };
    let text = match cx.format {
        Format::Json => json::document("process", &shown)? + "\n",
        Format::Jsonl => json::lines(std::slice::from_ref(&shown))?,
        Format::Table => describe(task, &shown, &threads, &unreadable, &row_cx, cx),
    };
    render::emit(&text)?;
    Ok(exit::SUCCESS)
}

fn verdict(task: &Task, kind: Kind, kinship: &Kinship) -> Verdict {
    let explanation = match kind {
        Kind::Zombie => format!(
            "zombie: it has exited and its parent {} has not collected its status with wait(); {}",
            task.stat.ppid,
            super::zombies::advice(task.stat.ppid)
        ),
        Kind::ExitedMainThread => "its main thread has exited (pthread_exit) while other threads \
                                   still run: the process is alive, not a zombie"
            .into(),
        Kind::Orphan => match kinship.orphan_evidence(task) {
            Some(e) => format!(
                "orphan (inferred): it belongs to session {} but its parent {} belongs to \
                 session {}; fork() passes the session on, so it was adopted after its own \
                 parent ended. The session leader is {}.",
                e.session,
                e.adopter,
                e.adopter_session,
                if e.session_leader_alive {
                    "still alive"
                } else {
                    "gone"
                }
            ),
            None => "orphan".into(),
        },
        Kind::Normal => "normal: its parent is alive and in its session (or it leads its own \
                         session, as daemons do)"
            .into(),
    };
    Verdict {
        kind: match kind {
            Kind::Normal => "normal",
            other => other.label(),
        },
        explanation,
    }
}

fn describe(
    task: &Task,
    shown: &Shown,
    threads: &[Task],
    unreadable: &[String; 2],
    row_cx: &RowContext,
    cx: &Context,
) -> String {
    let p = &shown.process;
    let field = |f: Field| f.text(task, Kind::Normal, row_cx);
    let mut lines: Vec<(&str, String)> = Vec::new();
    lines.push(("name", field(Field::Comm)));
    lines.push(("command", field(Field::Args)));
    lines.push((
        "executable",
        shown.exe.clone().unwrap_or_else(|| unreadable[0].clone()),
    ));
    lines.push((
        "directory",
        shown.cwd.clone().unwrap_or_else(|| unreadable[1].clone()),
    ));
    lines.push((
        "ids",
        format!(
            "pid {}  ppid {}  pgid {}  sid {}  tpgid {}  tty {}",
            p.pid,
            p.ppid,
            p.pgid,
            p.sid,
            p.tpgid,
            p.tty.as_deref().unwrap_or("-")
        ),
    ));
    lines.push((
        "user",
        format!(
            "{} (uid {}), real {} (uid {})",
            p.user.as_deref().unwrap_or("?"),
            p.uid.map_or("?".into(), |u| u.to_string()),
            p.ruser.as_deref().unwrap_or("?"),
            p.ruid.map_or("?".into(), |u| u.to_string()),
        ),
    ));
    let mut stat = format!("{}  ", p.stat);
    let state_code = state::state_code(task.stat.state);
    stat.push_str(&format!(
        "{} {}",
        task.stat.state,
        state_code.map_or("unknown state", |c| c.short)
    ));
    for m in state::modifiers(task) {
        if let Some(code) = state::modifier_code(m) {
            stat.push_str(&format!("; {m} {}", code.short));
        }
    }
    lines.push(("state", stat));
    lines.push((
        "textbook",
        state::textbook_state(task.stat.state).to_string(),
    ));
    lines.push((
        "scheduling",
        format!(
            "nice {}  priority {} (pri {})  policy {}  rtprio {}",
            columns::nice(task).map_or("-".into(), |n| n.to_string()),
            p.priority,
            p.pri,
            p.policy,
            p.rtprio.map_or("-".into(), |r| r.to_string())
        ),
    ));
    lines.push((
        "started",
        format!("{} (elapsed {})", p.start_time, field(Field::Etime)),
    ));
    lines.push((
        "cpu",
        format!("time {}  %CPU {}", field(Field::Time), field(Field::Pcpu)),
    ));
    lines.push((
        "memory",
        format!(
            "VSZ {} kB  RSS {} kB  locked {} kB  %MEM {}",
            field(Field::Vsz),
            field(Field::Rss),
            p.locked_kb.map_or("-".into(), |l| l.to_string()),
            field(Field::Pmem)
        ),
    ));
    let chain: Vec<String> = std::iter::once(format!("{}({})", field(Field::Comm), p.pid))
        .chain(shown.ancestry.iter().map(|a| {
            format!(
                "{}({})",
                psfmt::escape(a.comm.as_bytes(), cx.style.utf8),
                a.pid
            )
        }))
        .collect();
    lines.push(("ancestry", chain.join(" <- ")));
    let children: Vec<String> = shown
        .children
        .iter()
        .map(|c| {
            format!(
                "{}({})",
                psfmt::escape(c.comm.as_bytes(), cx.style.utf8),
                c.pid
            )
        })
        .collect();
    lines.push((
        "children",
        if children.is_empty() {
            "none".into()
        } else {
            children.join(", ")
        },
    ));
    lines.push(("verdict", shown.verdict.explanation.clone()));
    let mut out = String::new();
    for (key, value) in lines {
        out.push_str(&format!("{key:>11}  {value}\n"));
    }
    if !threads.is_empty() {
        out.push_str(&format!(
            "\n{} thread{}:\n",
            threads.len(),
            if threads.len() == 1 { "" } else { "s" }
        ));
        let headers = table::headers(&["TID", "STAT", "NI", "PRI", "TIME", "NAME"], &[0, 2, 3]);
        let rows = threads
            .iter()
            .map(|t| Row {
                cells: [
                    Field::Lwp,
                    Field::Stat,
                    Field::Nice,
                    Field::Pri,
                    Field::Time,
                    Field::Comm,
                ]
                .iter()
                .map(|f| f.text(t, Kind::Normal, row_cx))
                .collect(),
                tone: Tone::Plain,
            })
            .collect();
        out.push_str(&table::render(&headers, rows, true, &cx.style));
    }
    out
}
