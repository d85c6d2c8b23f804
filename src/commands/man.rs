//! The man page, generated from the clap definitions and the tables the
//! program itself uses (STAT legend, JSON fields), so it cannot drift.
//! `pscope generate-man [DIR]` writes DIR/pscope.1; a test compares the
//! committed page with what this writes now.

use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::analysis::state::{MODIFIERS, STATES};
use crate::cli::Cli;
use crate::error::EXIT_CODES;
use crate::render::schema::RECORDS;

pub fn write_pages(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("pscope.1");
    std::fs::write(&path, page()?).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Escapes text for roff: backslashes, and a leading dot or quote.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with('.') || text.starts_with('\'') {
        format!("\\&{text}")
    } else {
        text
    }
}

fn section(out: &mut String, title: &str) {
    out.push_str(&format!(".SH \"{title}\"\n"));
}

fn paragraph(out: &mut String, text: &str) {
    out.push_str(".PP\n");
    out.push_str(&roff(text));
    out.push('\n');
}

fn item(out: &mut String, tag: &str, text: &str) {
    out.push_str(".TP\n");
    out.push_str(&format!("\\fB{}\\fR\n", roff(tag)));
    out.push_str(&roff(text));
    out.push('\n');
}

/// One tagged paragraph per STAT letter: the short meaning, then the long.
fn codes(out: &mut String, list: &[crate::analysis::state::Code]) {
    for code in list {
        item(
            out,
            &code.letter.to_string(),
            &format!("{}. {}", code.short, code.long),
        );
    }
}

fn example(out: &mut String, command: &str, what: &str) {
    out.push_str(".TP\n");
    out.push_str(&format!("\\fB{}\\fR\n", roff(command)));
    out.push_str(&roff(what));
    out.push('\n');
}

/// Renders one clap section for a subcommand, without its `.SH` heading
/// (the subcommand has its own `.SS`) and without the string definitions
/// clap_mangen repeats before every section.
fn clap_body(render: impl Fn(&mut Vec<u8>) -> std::io::Result<()>) -> Result<String> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    let text = String::from_utf8(buf)?;
    let mut out = String::from(".PP\n");
    for line in text.lines() {
        if line.starts_with(".SH")
            || line.starts_with(".ie \\n(.g .ds Aq")
            || line.starts_with(".el .ds Aq")
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// The subcommands of a command (the topics of `pscope demo`), each with
/// what it does and its own options.
fn topics(out: &mut String, command: &clap::Command) {
    let topics: Vec<&clap::Command> = command
        .get_subcommands()
        .filter(|t| !t.is_hide_set())
        .collect();
    if topics.is_empty() {
        return;
    }
    paragraph(out, "Topics:");
    for topic in topics {
        let mut tag = topic.get_name().to_string();
        let mut text = topic.get_about().map(|a| a.to_string()).unwrap_or_default();
        for arg in topic
            .get_arguments()
            .filter(|a| !a.is_hide_set() && !a.is_global_set())
        {
            let Some(long) = arg.get_long() else {
                continue;
            };
            let value = arg
                .get_value_names()
                .and_then(|v| v.first())
                .filter(|_| arg.get_action().takes_values())
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            tag.push_str(&format!(" [--{long}{value}]"));
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let default: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|d| d.to_string_lossy().into_owned())
                .collect();
            text.push_str(&format!(". --{long}: {}", help.trim_end_matches('.')));
            let choices: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !choices.is_empty() && arg.get_action().takes_values() {
                text.push_str(&format!(" ({})", choices.join(", ")));
            }
            if !default.is_empty() {
                text.push_str(&format!(" (default {})", default.join(",")));
            }
        }
        text.push('.');
        item(out, &tag, &text);
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The man page's examples, each a command that runs as written (a test
/// runs every one) and what it shows.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "pscope",
        "every process, with the columns of ps aux plus PPID, NI and PRI",
    ),
    ("pscope aux", "exactly what ps aux prints"),
    (
        "pscope -eo pid,ppid,stat,ni,comm --sort=-ni",
        "chosen columns, sorted by nice value, highest first, as ps sorts them",
    ),
    ("pscope -u root --state S", "root's sleeping processes"),
    ("pscope tree -p", "the tree with PIDs, exactly as pstree -p"),
    (
        "pscope tree --stat $$",
        "the current shell's subtree with STAT and NI after each name",
    ),
    ("pscope explain Ssl+", "what each letter of a STAT means"),
    (
        "pscope zombies --check || echo \"zombies found\" >&2",
        "monitoring: act when zombies exist",
    ),
    (
        "pscope --json | jq '.processes[] | select(.state == \"Z\") | .pid'",
        "the PIDs of zombies, for a script",
    ),
    (
        "pscope tree --json | jq '.roots[0].children[].comm'",
        "the names of init's children",
    ),
    (
        "pscope --format jsonl | jq -r 'select(.nice > 0) | \"\\(.pid) \\(.comm)\"'",
        "niced processes, one per line",
    ),
    (
        "pscope why $$",
        "what this shell waits on (its system call, decoded), and why it exists",
    ),
    (
        "pscope why --all --all-states",
        "every task counted by state, system call and wchan",
    ),
    (
        "pscope files --type ps",
        "every pipe and socket, with the processes at its other end",
    ),
    ("pscope demo", "the lab demonstrations and what each shows"),
    (
        "pscope demo io --seconds 1",
        "a lab demonstration: blocking read, busy polling, select and epoll side by side",
    ),
];

pub fn page() -> Result<String> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone())
        .date("")
        .source(format!("pscope {}", env!("CARGO_PKG_VERSION")));
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    let mut out = String::from_utf8(buf)?;

    section(&mut out, "COMMANDS");
    paragraph(
        &mut out,
        "Without arguments, or with only pscope's own options (--state, --name, --json, ...), \
         pscope lists every process in its own columns. With any option of ps's (aux, -ef, -o \
         ...), pscope is ps, exactly as pscope ps is.",
    );
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("pscope {}", sub.get_name());
        let sub = sub.clone().bin_name(&name).display_name(&name);
        let man = clap_mangen::Man::new(sub.clone());
        out.push_str(&format!(".SS \"{}\"\n", roff(&name)));
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        for para in about.split("\n\n") {
            paragraph(&mut out, para.trim());
        }
        out.push_str(&clap_body(|b| man.render_synopsis_section(b))?);
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            out.push_str(&clap_body(|b| man.render_options_section(b))?);
        }
        topics(&mut out, &sub);
        if let Some(after) = sub.get_after_help() {
            out.push_str(".PP\n.nf\n");
            for line in after.to_string().lines() {
                out.push_str(&roff(line));
                out.push('\n');
            }
            out.push_str(".fi\n");
        }
    }

    section(&mut out, "PSCOPE AS PS");
    paragraph(
        &mut out,
        "pscope reads ps's command line as procps-ng 4.0.2 reads it: UNIX options with a dash, BSD \
         options without, GNU long options, and their mixtures (-aux is BSD aux). Every option, \
         format and keyword of ps prints what ps prints, byte for byte, when piped: headers, \
         widths, alignment, forest art, thread rows. pscope ps --help all lists the options, \
         pscope L the keywords. A bad option prints ps's message and exits 1. pscope run \
         through a link named ps is ps; named pstree, it is pscope tree:",
    );
    out.push_str(".PP\n.nf\n");
    for line in [
        "ln -s \"$(command -v pscope)\" ~/.local/bin/ps",
        "ln -s \"$(command -v pscope)\" ~/.local/bin/pstree",
    ] {
        out.push_str(&roff(line));
        out.push('\n');
    }
    out.push_str(".fi\n");
    paragraph(
        &mut out,
        "Where pscope differs on purpose: its own line may show more than one thread (it reads \
         /proc on several threads); --version, V, --help and --info speak of pscope; terminals \
         are named from their device numbers and the kernel's driver table, not from the \
         process's open descriptors; seat and machine print -, as they need systemd's records.",
    );

    section(&mut out, "PROCESS STATE CODES");
    paragraph(
        &mut out,
        "The STAT column starts with one state letter (field 3 of /proc/PID/stat):",
    );
    codes(&mut out, STATES);
    paragraph(
        &mut out,
        "After the letter, STAT may show these modifiers, always in this order:",
    );
    codes(&mut out, MODIFIERS);
    paragraph(
        &mut out,
        "< and N look at the nice value alone, whatever the scheduling policy. NI shows - for \
         policies other than TS (normal) and B (batch); RTPRIO shows - for TS.",
    );

    section(&mut out, "ZOMBIES");
    paragraph(
        &mut out,
        "A zombie has exited but its parent has not yet collected its exit status with wait() or \
         waitpid(); it holds a PID and nothing else, and cannot be killed. pscope zombies groups \
         zombies by that parent and says what to do: the parent must call wait(); kill -CHLD \
         PARENT may prompt it; ending the parent hands the zombies to init (or a subreaper), \
         which reaps them. A process whose main thread exited while other threads run also shows \
         state Z (STAT Zl); it is alive and is reported apart, not as a zombie.",
    );

    section(&mut out, "ORPHANS");
    paragraph(
        &mut out,
        "When a parent exits, Linux hands its children to the nearest ancestor marked as a child \
         subreaper (PR_SET_CHILD_SUBREAPER), else to PID 1 of the PID namespace. /proc records \
         neither the original parent nor which processes are subreapers, so pscope infers \
         adoption: a process is an orphan when it does not lead its own session and its parent \
         belongs to another session. fork() passes the session on, so such a process cannot be \
         its parent's own child. Daemons call setsid() and lead their own session, so they are \
         never reported. A process adopted by a subreaper in its own session cannot be told \
         apart from that subreaper's own child, and is not reported.",
    );
    paragraph(
        &mut out,
        "POSIX orphaned process groups are computed exactly, as the kernel does: a group is \
         orphaned when no living member has a parent that is in another group of the same \
         session (a parent that is init does not count). When a group becomes orphaned with \
         stopped members, the kernel sends them SIGHUP and SIGCONT.",
    );

    section(&mut out, "JSON OUTPUT");
    paragraph(
        &mut out,
        "--json prints one document; --format jsonl prints one object per line. Every document \
         and every line has \"schema_version\": 1. Keys are snake_case; numbers are numbers; a \
         value that cannot be read is null. pscope ps --json prints {\"processes\": [...]}; \
         pscope tree --json prints {\"roots\": [...]}; zombies and orphans print \
         {\"report\": {...}}; show prints {\"process\": {...}}; explain prints \
         {\"explained\": [...]} (or {\"legend\": {...}}); renice prints {\"results\": [...]}; \
         why prints {\"why\": [...]} (with --all, {\"sample\": {...}}); files prints \
         {\"files\": {...}}. The records, and every field of each:",
    );
    for record in RECORDS {
        out.push_str(&format!(".SS \"{}\"\n", roff(record.name)));
        let base = record
            .extends
            .map(|b| format!(" Its fields follow those of a {b}."))
            .unwrap_or_default();
        paragraph(&mut out, &format!("{}.{base}", capitalized(record.summary)));
        for (name, kind, meaning) in record.fields {
            item(&mut out, name, &format!("({kind}) {meaning}"));
        }
    }

    section(&mut out, "EXIT STATUS");
    for (code, meaning) in EXIT_CODES {
        item(&mut out, code, meaning);
    }

    section(&mut out, "ENVIRONMENT");
    item(
        &mut out,
        "PSCOPE_PROC_ROOT",
        "read processes from this directory instead of /proc (as --proc-root)",
    );
    item(
        &mut out,
        "NO_COLOR",
        "when set and not empty, no color unless --color always",
    );
    item(
        &mut out,
        "COLUMNS",
        "the width to fit output to on a terminal; pscope tree uses it also when not on a \
         terminal, as pstree does",
    );
    item(
        &mut out,
        "LC_ALL, LC_CTYPE, LANG",
        "with a UTF-8 locale, names keep their non-ASCII characters; otherwise non-ASCII bytes \
         print as ?, as ps prints them",
    );

    section(&mut out, "EXAMPLES");
    for (command, what) in EXAMPLES {
        example(&mut out, command, what);
    }

    section(&mut out, "SEE ALSO");
    out.push_str(
        "\\fBps\\fR(1), \\fBpstree\\fR(1), \\fBrenice\\fR(1), \\fBtop\\fR(1), \\fBproc\\fR(5)\n",
    );
    Ok(out)
}
