//! The live view as text: top's summary lines, its column layout, and
//! frames written as `top -b` writes them (every byte, for the default
//! columns); and as JSON lines, one frame a line.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::json::{self, Each};
use super::schema::{
    top_process_has, CpuStatesRecord, KeywordValues, MemoryRecord, TopEventRecord, TopFrameRecord,
    TopProcessRecord, TopTasksRecord,
};
use crate::analysis::keywords::Align;
use crate::analysis::psfmt;
use crate::analysis::topcols::{TopColumn, TopContext, TopRow};
use crate::analysis::topfmt;
use crate::analysis::topframe::Frame;
use crate::analysis::topsummary::CpuShares;
use crate::analysis::values::Typed;
use crate::sys::time::strftime;

/// top's widest screen.
pub const MAX_WIDTH: usize = 512;

/// The keys of the live view, for its help screen and the man page.
pub const KEYS: &[(&str, &str)] = &[
    ("q, Ctrl-C", "quit"),
    ("h, ?", "help"),
    ("Space", "read a frame now"),
    ("d", "change the delay between frames"),
    ("P M T N", "sort by %CPU, %MEM, TIME+ or PID, high to low"),
    ("< >", "sort by the column left or right of the sort column"),
    ("R", "reverse the sort"),
    ("V", "tree view: children under their parent, by start time"),
    ("H", "one row per thread"),
    ("c", "command lines in COMMAND"),
    ("i", "hide tasks that used no CPU in the interval"),
    ("1", "one CPU line per CPU"),
    ("u", "one user's processes (!USER: all but theirs; empty: all)"),
    (
        "o",
        "add a filter: [!]FIELD=VALUE (contains), FIELD<VALUE or FIELD>VALUE, e.g. STAT=Z, NI>0, COMMAND=sleep",
    ),
    ("=", "clear the filters"),
    ("k", "send a signal: PID, then signal (default 15, TERM)"),
    ("r", "renice: PID, then nice value"),
    ("e", "the event log: births, exits, zombies, reaping, reparenting"),
    ("Up Down PgUp PgDn Home End", "move the selection"),
    ("Enter", "the selected process in full, as pscope show prints it"),
    ("Esc", "close a screen or a prompt"),
];

/// The marks of rows that changed in the last interval.
pub const MARKS: &[(&str, &str)] = &[
    ("+", "born in the interval"),
    ("-", "exited in the interval: shown once more"),
    ("~", "changed state (R to S, to Z, to T...)"),
    ("^", "reparented: adopted by init or a subreaper"),
];

/// The keys and marks as text, one per line.
pub fn keys_help() -> String {
    let mut text = String::from("Keys:\n");
    for (key, what) in KEYS {
        text.push_str(&format!("  {key:<27} {what}\n"));
    }
    text.push_str("Marks before a row:\n");
    for (mark, what) in MARKS {
        text.push_str(&format!("  {mark:<27} {what}\n"));
    }
    text
}

/// The first text cells of a line, at most `width` of them.
pub fn cut_cells(text: &str, width: usize) -> String {
    if text.len() <= width {
        return text.to_string();
    }
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

fn cpu_line(label: &str, c: &CpuShares) -> String {
    format!(
        "{label}{:5.1} us,{:5.1} sy,{:5.1} ni,{:5.1} id,{:5.1} wa,{:5.1} hi,{:5.1} si,{:5.1} st ",
        c.us, c.sy, c.ni, c.id, c.wa, c.hi, c.si, c.st
    )
}

/// The summary lines, each cut to `width` characters: the time, uptime,
/// users and load; tasks by state; CPU shares (all CPUs, or one line
/// each); memory; swap.
pub fn summary(frame: &Frame, per_cpu: bool, width: usize) -> Vec<String> {
    let s = &frame.sample;
    let mut lines = Vec::with_capacity(5);
    lines.push(format!(
        "top - {} up {}{}load average: {:.2}, {:.2}, {:.2}",
        strftime(s.now, "%H:%M:%S"),
        topfmt::uptime(s.uptime),
        topfmt::users(s.users),
        s.load[0],
        s.load[1],
        s.load[2]
    ));
    let c = &frame.counts;
    let what = if frame.shows_threads() {
        "Threads"
    } else {
        "Tasks"
    };
    lines.push(format!(
        "{what}: {:3} total, {:3} running, {:3} sleeping, {:3} stopped, {:3} zombie",
        c.total, c.running, c.sleeping, c.stopped, c.zombie
    ));
    if per_cpu {
        for (i, cpu) in frame.cpus.iter().enumerate() {
            lines.push(cpu_line(&format!("%Cpu{i:<3}:"), cpu));
        }
    } else {
        lines.push(cpu_line("%Cpu(s):", &frame.cpu));
    }
    let m = &frame.memory;
    let v = topfmt::summary_mib;
    lines.push(format!(
        "MiB Mem : {:>9}total, {:>9}free, {:>9}used, {:>9}buff/cache     ",
        v(m.total),
        v(m.free),
        v(m.used),
        v(m.buff_cache)
    ));
    lines.push(format!(
        "MiB Swap: {:>9}total, {:>9}free, {:>9}used. {:>9}avail Mem ",
        v(m.swap_total),
        v(m.swap_free),
        v(m.swap_used),
        v(m.available)
    ));
    lines.into_iter().map(|l| cut_cells(&l, width)).collect()
}

/// Where each column goes on a line `width` cells wide, as top lays them
/// out: each column at its width and one space; a command column last
/// takes the rest of the line less one cell; columns that do not fit are
/// left out from the right.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Indexes into the view's columns, with their widths.
    pub columns: Vec<(usize, usize)>,
    right: Vec<bool>,
    headers: Vec<String>,
}

impl Layout {
    pub fn new(columns: &[TopColumn], pid_digits: usize, width: usize) -> Layout {
        let mut placed = Vec::new();
        let mut used = 0;
        for (i, column) in columns.iter().enumerate() {
            let last = i + 1 == columns.len();
            let header = column.header().width();
            let cells = match column.width(pid_digits) {
                None if last => {
                    if used + header.max(1) + 1 > width {
                        break;
                    }
                    width - used - 1
                }
                natural => natural.unwrap_or_else(|| column.fixed_width(pid_digits)),
            };
            if used + cells + 1 > width {
                break;
            }
            used += cells + 1;
            placed.push((i, cells));
        }
        Layout {
            right: placed
                .iter()
                .map(|&(i, _)| columns[i].right_aligned())
                .collect(),
            headers: placed
                .iter()
                .map(|&(i, _)| columns[i].header().to_string())
                .collect(),
            columns: placed,
        }
    }

    /// The header line, trailing blanks dropped.
    pub fn header(&self) -> String {
        self.line(self.headers.iter().map(String::as_str))
    }

    /// A row's line from its column texts (one per column placed).
    pub fn line<'a>(&self, texts: impl Iterator<Item = &'a str>) -> String {
        let mut out = String::with_capacity(128);
        for ((&(_, width), &right), text) in self.columns.iter().zip(&self.right).zip(texts) {
            place(&mut out, text, width, right);
        }
        out.truncate(out.trim_end().len());
        out
    }

    /// A row's line.
    pub fn row(&self, columns: &[TopColumn], row: &TopRow, cx: &TopContext) -> String {
        let mut line = String::with_capacity(128);
        self.row_into(&mut line, &mut String::new(), columns, row, cx);
        line
    }

    /// Writes a row's line into `line` (cleared first), using `cell` for
    /// each column's text: frames reuse both, row after row.
    pub fn row_into(
        &self,
        line: &mut String,
        cell: &mut String,
        columns: &[TopColumn],
        row: &TopRow,
        cx: &TopContext,
    ) {
        line.clear();
        for (&(i, width), &right) in self.columns.iter().zip(&self.right) {
            cell.clear();
            columns[i].write_text(row, cx, cell);
            place(line, cell, width, right);
        }
        line.truncate(line.trim_end().len());
    }
}

/// Writes a text into `width` cells and the space after them.
fn place(out: &mut String, text: &str, width: usize, right: bool) {
    let cells = if text.is_ascii() {
        text.len()
    } else {
        text.width()
    };
    if cells > width {
        // A wide character may leave the cut text a cell short: pad it.
        let fitted = fit(text, width);
        let short = width.saturating_sub(fitted.width());
        if right {
            push_spaces(out, short);
            out.push_str(&fitted);
        } else {
            out.push_str(&fitted);
            push_spaces(out, short);
        }
        out.push(' ');
        return;
    }
    if right {
        push_spaces(out, width - cells);
        out.push_str(text);
    } else {
        out.push_str(text);
        push_spaces(out, width - cells);
    }
    out.push(' ');
}

/// A text in `width` cells: cut to one cell less and a `+` when longer,
/// as top marks a cut value.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = cut_cells(text, width.saturating_sub(1));
    out.push('+');
    out
}

fn push_spaces(out: &mut String, count: usize) {
    out.extend(std::iter::repeat_n(' ', count));
}

/// Writes one frame as `top -b` does: the summary lines, a blank line,
/// the header, the rows; a frame after the first starts with a blank line.
/// Each row is made as it is written.
pub fn write_text_frame<'a>(
    out: &mut dyn Write,
    first: bool,
    summary: &[String],
    layout: &Layout,
    columns: &[TopColumn],
    rows: impl Iterator<Item = TopRow<'a>>,
    cx: &TopContext,
) -> io::Result<()> {
    if !first {
        out.write_all(b"\n")?;
    }
    for line in summary {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(out, "{}", layout.header())?;
    let (mut line, mut cell) = (String::with_capacity(128), String::with_capacity(32));
    for row in rows {
        layout.row_into(&mut line, &mut cell, columns, &row, cx);
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes one frame as a JSON line, each row's record made as it is
/// written.
pub fn write_json_frame<'a>(
    out: &mut dyn Write,
    frame: &Frame,
    columns: &[TopColumn],
    rows: impl Iterator<Item = TopRow<'a>>,
    cx: &TopContext,
) -> io::Result<()> {
    let s = &frame.sample;
    let processes =
        rows.map(|row| TopProcessRecord::new(&row, cx, keyword_values(columns, &row, cx)));
    let record = TopFrameRecord {
        time: psfmt::iso8601(s.now),
        uptime_seconds: s.uptime,
        users: s.users,
        load_average: s.load,
        interval_seconds: (frame.seconds * 1000.0).round() / 1000.0,
        threads: frame.shows_threads(),
        tasks: TopTasksRecord::new(&frame.counts),
        cpu: CpuStatesRecord::new(&frame.cpu),
        cpus: frame.cpus.iter().map(CpuStatesRecord::new).collect(),
        memory: MemoryRecord::new(&frame.memory),
        processes: Each::new(processes),
        events: frame.diff.events.iter().map(TopEventRecord::new).collect(),
    };
    json::write_line(out, &record)
}

/// The ps keywords of `-o` that a top process record does not carry.
fn keyword_values<'c>(
    columns: &'c [TopColumn],
    row: &TopRow,
    cx: &TopContext,
) -> KeywordValues<'c> {
    let mut values: Vec<(&str, Typed)> = Vec::new();
    for column in columns {
        let TopColumn::Ps(c) = column else {
            continue;
        };
        let k = c.keyword;
        if top_process_has(k.name) || values.iter().any(|(n, _)| *n == k.name) {
            continue;
        }
        let numeric = matches!(k.align, Align::Right);
        values.push((k.name, k.field.typed(row.task, row.kind, &cx.rows, numeric)));
    }
    KeywordValues(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::changes::{self, Marks};
    use crate::analysis::kinship::Kind;
    use crate::analysis::topcols::default_columns;
    use crate::model::{CpuTimes, MemInfo, Snapshot, SystemInfo, SystemSample, Task};

    fn process_api() -> Task {
        let mut t = Task {
            pid: 1,
            tgid: 1,
            owner_uid: Some(0),
            shared_pages: Some(1_758),
            ..Task::default()
        };
        t.stat.comm = b"process_api".to_vec();
        t.stat.state = 'S';
        t.stat.priority = 10;
        t.stat.nice = -10;
        t.stat.num_threads = 1;
        t.stat.utime = 91;
        t.stat.stime = 341;
        t.stat.vsize = 47_088 * 1024;
        t.stat.rss_pages = 3_182;
        t
    }

    fn frame() -> Frame {
        let snapshot = Snapshot {
            system: SystemInfo {
                mem_total_kb: 24_683_568,
                ..SystemInfo::default()
            },
            tasks: vec![process_api()],
            users: [(0, "root".to_string())].into(),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        };
        let memory = MemInfo {
            total: 24_683_568,
            free: 24_095_027,
            available: 24_351_642,
            buffers: 0,
            cached: 491_520,
            reclaimable: 1_229,
            swap_total: 0,
            swap_free: 0,
        };
        let last = SystemSample {
            uptime: 1_019.0,
            cpus: vec![CpuTimes::default(); 2],
            ..SystemSample::default()
        };
        let now = SystemSample {
            uptime: 1_020.0,
            load: [0.51, 0.27, 0.18],
            cpu: CpuTimes {
                idle: 200,
                ..CpuTimes::default()
            },
            cpus: vec![
                CpuTimes {
                    idle: 100,
                    ..CpuTimes::default()
                };
                2
            ],
            memory,
            users: 0,
            now: 0,
        };
        let seen = changes::remember(&snapshot.tasks);
        Frame::new(snapshot, now, &last, &seen, false, false)
    }

    #[test]
    fn the_header_drops_columns_that_do_not_fit() {
        let columns = default_columns();
        let at = |width| Layout::new(&columns, 5, width).header();
        assert_eq!(
            at(80),
            "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND"
        );
        assert!(at(70).ends_with("    TIME+"));
        assert!(at(60).ends_with(" %MEM"));
        assert!(Layout::new(&columns, 7, 80)
            .header()
            .starts_with("    PID USER"));
    }

    #[test]
    fn rows_are_laid_out_as_top_lays_them_out() {
        let frame = frame();
        let columns = default_columns();
        let cx = frame.context(true, false);
        let rows = frame.rows();
        let layout = Layout::new(&columns, 5, 80);
        assert_eq!(
            layout.row(&columns, &rows[0], &cx),
            "    1 root      10 -10   47088  12728   7032 S   0.0   0.1   0:04.32 process_a+"
        );
        let wide = Layout::new(&columns, 5, 120);
        assert!(wide.row(&columns, &rows[0], &cx).ends_with(" process_api"));
        let mut out = Vec::new();
        let summary = summary(&frame, false, 80);
        write_text_frame(
            &mut out,
            false,
            &summary,
            &layout,
            &columns,
            rows.iter().copied(),
            &cx,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "");
        assert_eq!(lines[6], "");
        assert!(lines[7].starts_with("  PID"));
        assert_eq!(lines.len(), 10, "{text}");
    }

    #[test]
    fn summary_lines_are_tops() {
        let frame = frame();
        let lines = summary(&frame, false, 80);
        assert!(lines[0].starts_with("top - "));
        assert!(
            lines[0].ends_with(" up 17 min,  0 user,  load average: 0.51, 0.27, 0.18"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[1],
            "Tasks:   1 total,   0 running,   1 sleeping,   0 stopped,   0 zombie"
        );
        assert_eq!(
            lines[2],
            "%Cpu(s):  0.0 us,  0.0 sy,  0.0 ni,100.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st "
        );
        assert_eq!(
            lines[3],
            "MiB Mem :  24105.0 total,  23530.3 free,    324.1 used,    481.2 buff/cache     "
        );
        assert_eq!(
            lines[4],
            "MiB Swap:      0.0 total,      0.0 free,      0.0 used.  23780.9 avail Mem "
        );
        let per_cpu = summary(&frame, true, 80);
        assert!(per_cpu[2].starts_with("%Cpu0  :  0.0 us,"));
        assert!(per_cpu[3].starts_with("%Cpu1  :"));
        assert_eq!(summary(&frame, false, 60)[3].len(), 60);
    }

    #[test]
    fn json_frames_carry_the_schema() {
        let frame = frame();
        let columns =
            crate::analysis::topcols::parse_columns(&["pid,wchan,nice,command".into()]).unwrap();
        let cx = frame.context(true, false);
        let rows = frame.rows();
        let mut out = Vec::new();
        write_json_frame(&mut out, &frame, &columns, rows.iter().copied(), &cx).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["tasks"]["total"], 1);
        assert_eq!(value["cpu"]["idle"], 100.0);
        let p = &value["processes"][0];
        assert_eq!(p["pr"], "10");
        assert_eq!(p["shr_kb"], 7032);
        assert_eq!(p["command"], "process_api");
        assert!(p.get("wchan").is_some(), "a keyword the record lacks");
        assert_eq!(
            p.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k == "nice")
                .count(),
            1
        );
        let _ = (Marks::default(), Kind::Normal);
    }
}
