//! The columns of `pscope top`: top's own (PID USER PR NI VIRT RES SHR S
//! %CPU %MEM TIME+ COMMAND, with top's values: %CPU over the last
//! interval, memory scaled to fit, PR `rt` for real-time tasks) and any
//! ps keyword, with ps's value from the same engine as `pscope ps`.

use super::changes::Marks;
use super::columns::{self, Column, UnknownKeyword};
use super::keywords::{Align, Field, Width};
use super::kinship::Kind;
use super::psfmt;
use super::topfmt;
use super::values::{RowContext, SortValue};
use crate::model::{LiveNeeds, Needs, Task};

/// top's own columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopField {
    Pid,
    User,
    Pr,
    Ni,
    Virt,
    Res,
    Shr,
    S,
    Cpu,
    Mem,
    Time,
    Command,
}

impl TopField {
    pub const ALL: [TopField; 12] = [
        TopField::Pid,
        TopField::User,
        TopField::Pr,
        TopField::Ni,
        TopField::Virt,
        TopField::Res,
        TopField::Shr,
        TopField::S,
        TopField::Cpu,
        TopField::Mem,
        TopField::Time,
        TopField::Command,
    ];

    pub fn header(self) -> &'static str {
        match self {
            TopField::Pid => "PID",
            TopField::User => "USER",
            TopField::Pr => "PR",
            TopField::Ni => "NI",
            TopField::Virt => "VIRT",
            TopField::Res => "RES",
            TopField::Shr => "SHR",
            TopField::S => "S",
            TopField::Cpu => "%CPU",
            TopField::Mem => "%MEM",
            TopField::Time => "TIME+",
            TopField::Command => "COMMAND",
        }
    }

    /// The field whose header this is, in any case.
    pub fn named(name: &str) -> Option<TopField> {
        TopField::ALL
            .into_iter()
            .find(|f| f.header().eq_ignore_ascii_case(name))
    }

    /// Cells, as top sizes them (`None`: as wide as the line allows).
    fn width(self, pid_digits: usize) -> Option<usize> {
        Some(match self {
            TopField::Pid => pid_digits.max(5),
            TopField::User => 8,
            TopField::Pr | TopField::Ni => 3,
            TopField::Virt => 7,
            TopField::Res | TopField::Shr => 6,
            TopField::S => 1,
            TopField::Cpu | TopField::Mem => 5,
            TopField::Time => 9,
            TopField::Command => return None,
        })
    }
}

/// One column of the live view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopColumn {
    Top { field: TopField, header: String },
    Ps(Column),
}

/// top's default columns.
pub fn default_columns() -> Vec<TopColumn> {
    TopField::ALL
        .into_iter()
        .map(|field| TopColumn::Top {
            field,
            header: field.header().to_string(),
        })
        .collect()
}

/// Parses `-o` lists as `pscope ps` does (commas or spaces, `key=HEADER`):
/// top's own column names give top's columns, anything else a ps keyword.
pub fn parse_columns(specs: &[String]) -> Result<Vec<TopColumn>, UnknownKeyword> {
    let mut out = Vec::new();
    for spec in specs {
        for item in split_list(spec) {
            let (name, header) = match item.split_once('=') {
                Some((name, header)) => (name, Some(header)),
                None => (item, None),
            };
            if let Some(field) = TopField::named(name) {
                out.push(TopColumn::Top {
                    field,
                    header: header.unwrap_or(field.header()).to_string(),
                });
                continue;
            }
            let mut column =
                columns::column(name).ok_or_else(|| UnknownKeyword(name.to_string()))?;
            if let Some(header) = header {
                column.header = header.to_string();
            }
            out.push(TopColumn::Ps(column));
        }
    }
    Ok(out)
}

/// The items of a column list: split at commas and spaces, except that a
/// header after `=` runs to the next comma.
fn split_list(spec: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut rest = spec;
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if rest.is_empty() {
            return items;
        }
        let end = match rest.find([',', ' ', '=']) {
            Some(at) if rest.as_bytes()[at] == b'=' => {
                rest[at..].find(',').map_or(rest.len(), |c| at + c)
            }
            Some(at) => at,
            None => rest.len(),
        };
        items.push(&rest[..end]);
        rest = &rest[end..];
    }
}

/// What a row's values need besides the task.
pub struct TopContext<'a> {
    pub rows: RowContext<'a>,
    /// 100 / (clock ticks per second x seconds of the interval): turns a
    /// task's ticks in the interval into a percentage of one CPU.
    pub et_scale: f32,
    /// The highest %CPU shown: one CPU per CPU (999.9 at most below 11),
    /// one CPU on a single-CPU machine or for threads.
    pub cpu_max: f32,
    /// COMMAND shows the command line.
    pub full_command: bool,
}

/// One row of the live view.
#[derive(Debug, Clone, Copy)]
pub struct TopRow<'a> {
    pub task: &'a Task,
    pub kind: Kind,
    /// CPU ticks in the interval.
    pub ticks: u64,
    /// Its level in the tree view, 0 for a root or outside it (top draws
    /// at most 100).
    pub depth: u16,
    pub marks: Marks,
    /// Gone since the last frame: shown once more, marked.
    pub gone: bool,
}

/// The highest %CPU top shows on a machine with `cpus` CPUs.
pub fn cpu_max(cpus: usize, threads: bool) -> f32 {
    if cpus <= 1 || threads {
        return 99.9;
    }
    let all = 100.0 * cpus as f32;
    let cap = if cpus <= 10 {
        999.9
    } else if cpus <= 100 {
        9999.9
    } else {
        99999.9
    };
    all.min(cap)
}

/// A value for a filter: a number where the column holds one.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Number(f64),
    Text(String),
}

impl TopColumn {
    pub fn header(&self) -> &str {
        match self {
            TopColumn::Top { header, .. } => header,
            TopColumn::Ps(c) => &c.header,
        }
    }

    /// Whether the column is named so (a header, or a ps keyword's name).
    pub fn is_named(&self, name: &str) -> bool {
        match self {
            TopColumn::Top { field, header } => {
                header.eq_ignore_ascii_case(name) || field.header().eq_ignore_ascii_case(name)
            }
            TopColumn::Ps(c) => c.keyword.name == name || c.header.eq_ignore_ascii_case(name),
        }
    }

    /// The column's cells, and `None` for one that takes the rest of the
    /// line when it comes last (COMMAND, a ps command column).
    pub fn width(&self, pid_digits: usize) -> Option<usize> {
        let natural = match self {
            TopColumn::Top { field, .. } => field.width(pid_digits),
            TopColumn::Ps(c) => match (c.keyword.align, c.keyword.width) {
                (Align::Unlimited, _) => None,
                (_, Width::Fixed(w)) => Some(usize::from(w)),
                (_, Width::Pid) => Some(pid_digits.max(c.keyword.header.len())),
            },
        };
        natural.map(|w| w.max(self.header().len()))
    }

    /// The width of a variable column when it does not come last.
    pub fn fixed_width(&self, pid_digits: usize) -> usize {
        self.width(pid_digits).unwrap_or(match self {
            TopColumn::Ps(c) => match c.keyword.width {
                Width::Fixed(w) => usize::from(w),
                Width::Pid => pid_digits,
            },
            TopColumn::Top { .. } => 15,
        })
    }

    pub fn right_aligned(&self) -> bool {
        match self {
            TopColumn::Top { field, .. } => !matches!(field, TopField::User | TopField::Command),
            TopColumn::Ps(c) => c.right_aligned(),
        }
    }

    /// Whether the tree view draws its branches in this column.
    pub fn is_command(&self) -> bool {
        match self {
            TopColumn::Top { field, .. } => *field == TopField::Command,
            TopColumn::Ps(c) => matches!(c.field(), Field::Comm | Field::Args | Field::Fname),
        }
    }

    /// Whether its sort value is a number, cheap enough to make at each
    /// comparison.
    pub fn sorts_by_number(&self) -> bool {
        matches!(self, TopColumn::Top { field, .. } if !matches!(field, TopField::User | TopField::Command))
    }

    /// What this column reads.
    pub fn needs(&self, full_command: bool) -> LiveNeeds {
        match self {
            TopColumn::Top { field, .. } => match field {
                TopField::User => LiveNeeds {
                    owner: true,
                    ..LiveNeeds::default()
                },
                TopField::Shr => LiveNeeds {
                    statm: true,
                    ..LiveNeeds::default()
                },
                TopField::Command if full_command => LiveNeeds {
                    cmdline: true,
                    ..LiveNeeds::default()
                },
                _ => LiveNeeds::default(),
            },
            TopColumn::Ps(c) => live_needs(c.field().needs()),
        }
    }

    /// The text of this column for a row, before the layout pads or cuts it.
    pub fn text(&self, row: &TopRow, cx: &TopContext) -> String {
        let mut text = String::new();
        self.write_text(row, cx, &mut text);
        text
    }

    /// Writes the text of this column for a row: the hot path of every
    /// frame, which allocates nothing for the common values.
    pub fn write_text(&self, row: &TopRow, cx: &TopContext, out: &mut String) {
        use std::fmt::Write;
        let task = row.task;
        let s = &task.stat;
        let field = match self {
            TopColumn::Top { field, .. } => *field,
            TopColumn::Ps(c) => {
                let text = c.field().text(task, row.kind, &cx.rows);
                out.push_str(&if self.is_command() {
                    branch(row.depth, text)
                } else {
                    text
                });
                return;
            }
        };
        // Writing into a String cannot fail.
        let _ = match field {
            TopField::Pid => write!(out, "{}", task.pid),
            TopField::User => match task.owner_uid {
                Some(uid) => match cx.rows.snapshot.users.get(&uid) {
                    Some(name) => out.write_str(name),
                    None => write!(out, "{uid}"),
                },
                None => out.write_str("?"),
            },
            TopField::Pr => out.write_str(&topfmt::priority(s.priority)),
            TopField::Ni => write!(out, "{}", s.nice),
            TopField::Virt => topfmt::write_mem(out, virt_kib(task), 7),
            TopField::Res => topfmt::write_mem(out, res_kib(task, cx), 6),
            TopField::Shr => topfmt::write_mem(out, shr_kib(task, cx), 6),
            TopField::S => out.write_char(s.state),
            TopField::Cpu => topfmt::write_percent(out, cpu_percent(row, cx), 5),
            TopField::Mem => topfmt::write_percent(out, mem_percent(task, cx), 5),
            TopField::Time => {
                topfmt::write_time_plus(out, task.cpu_ticks(), cx.rows.snapshot.system.hz)
            }
            TopField::Command => {
                if row.depth > 0 {
                    out.push_str(&branch(row.depth, String::new()));
                }
                let printable = s.comm.iter().all(|b| (0x20..0x7f).contains(b));
                if printable && !cx.full_command {
                    // Printable ASCII needs no escaping.
                    out.extend(s.comm.iter().map(|&b| char::from(b)));
                } else {
                    out.push_str(&command(task, cx));
                }
                Ok(())
            }
        };
    }

    /// The value this column sorts by (top sorts %CPU by the raw ticks).
    pub fn sort_value(&self, row: &TopRow, cx: &TopContext) -> SortValue {
        let task = row.task;
        let s = &task.stat;
        let field = match self {
            TopColumn::Top { field, .. } => *field,
            TopColumn::Ps(c) => return c.keyword.sort.value(task, row.kind, &cx.rows),
        };
        let int = |v: i128| SortValue::Int(v);
        match field {
            TopField::Pid => int(task.pid.into()),
            TopField::User => SortValue::Text(self.text(row, cx).into_bytes()),
            TopField::Pr => int(s.priority.into()),
            TopField::Ni => int(s.nice.into()),
            TopField::Virt => int(virt_kib(task).into()),
            TopField::Res | TopField::Mem => int(res_kib(task, cx).into()),
            TopField::Shr => int(shr_kib(task, cx).into()),
            TopField::S => int(u32::from(s.state).into()),
            TopField::Cpu => int(row.ticks.into()),
            TopField::Time => int(task.cpu_ticks().into()),
            TopField::Command => SortValue::Text(command(task, cx).into_bytes()),
        }
    }

    /// The value a filter compares: numbers as numbers (KiB, percent,
    /// seconds), text as shown.
    pub fn filter_value(&self, row: &TopRow, cx: &TopContext) -> FilterValue {
        let task = row.task;
        let number = |v: f64| FilterValue::Number(v);
        let field = match self {
            TopColumn::Top { field, .. } => *field,
            TopColumn::Ps(_) => {
                let text = self.text(row, cx).trim().to_string();
                return match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => number(v),
                    _ => FilterValue::Text(text),
                };
            }
        };
        match field {
            TopField::Pid => number(task.pid.into()),
            TopField::Pr => number(task.stat.priority as f64),
            TopField::Ni => number(task.stat.nice as f64),
            TopField::Virt => number(virt_kib(task) as f64),
            TopField::Res => number(res_kib(task, cx) as f64),
            TopField::Shr => number(shr_kib(task, cx) as f64),
            TopField::Cpu => number(cpu_percent(row, cx).into()),
            TopField::Mem => number(mem_percent(task, cx).into()),
            TopField::Time => {
                number(task.cpu_ticks() as f64 / cx.rows.snapshot.system.hz.max(1) as f64)
            }
            TopField::User | TopField::S | TopField::Command => {
                FilterValue::Text(self.text(row, cx))
            }
        }
    }
}

/// What a ps keyword reads, in the live reader's terms: the command line
/// and the owner are kept between frames, other files read each frame.
pub fn live_needs(needs: Needs) -> LiveNeeds {
    LiveNeeds {
        cmdline: needs.cmdline,
        owner: needs.owner,
        files: Needs {
            cmdline: false,
            owner: false,
            ..needs
        },
        ..LiveNeeds::default()
    }
}

/// VIRT: the address space, KiB (stat's vsize, the same count as statm's
/// size).
pub fn virt_kib(task: &Task) -> u64 {
    task.stat.vsize / 1024
}

fn page_kib(cx: &TopContext) -> u64 {
    (cx.rows.snapshot.system.page_size / 1024).max(1)
}

/// RES: resident memory, KiB (stat's rss, statm's resident).
pub fn res_kib(task: &Task, cx: &TopContext) -> u64 {
    (task.stat.rss_pages.max(0) as u64).saturating_mul(page_kib(cx))
}

/// SHR: resident file-backed and shared memory, KiB (statm only).
pub fn shr_kib(task: &Task, cx: &TopContext) -> u64 {
    task.shared_pages
        .map_or(0, |pages| pages.saturating_mul(page_kib(cx)))
}

/// %CPU: the task's ticks in the interval as a share of one CPU, no more
/// than its threads can use nor than the machine has.
pub fn cpu_percent(row: &TopRow, cx: &TopContext) -> f32 {
    if row.gone {
        return 0.0;
    }
    let threads = row.task.stat.num_threads.max(1) as f32;
    (row.ticks as f32 * cx.et_scale)
        .min(100.0 * threads)
        .min(cx.cpu_max)
}

/// %MEM: resident memory over MemTotal.
pub fn mem_percent(task: &Task, cx: &TopContext) -> f32 {
    let total = cx.rows.snapshot.system.mem_total_kb;
    if total == 0 {
        return 0.0;
    }
    res_kib(task, cx) as f32 * 100.0 / total as f32
}

/// COMMAND: the name, or with `c` the command line (`[name]` when it has
/// none, ` <defunct>` after a zombie's).
fn command(task: &Task, cx: &TopContext) -> String {
    let s = &task.stat;
    if cx.full_command {
        psfmt::args(
            task.cmdline.as_deref(),
            &s.comm,
            s.state == 'Z',
            cx.rows.utf8,
        )
    } else {
        psfmt::comm(&s.comm, cx.rows.utf8)
    }
}

/// The tree view's branch before a child's command: ` `- ` right-aligned
/// in four cells per level.
fn branch(depth: u16, text: String) -> String {
    if depth == 0 {
        return text;
    }
    let width = 4 * usize::from(depth.min(100));
    format!("{:>width$}{text}", " `- ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Snapshot, SystemInfo};

    fn snapshot() -> Snapshot {
        Snapshot {
            system: SystemInfo {
                mem_total_kb: 24_683_568,
                ..SystemInfo::default()
            },
            tasks: Vec::new(),
            users: [(0, "root".to_string()), (1000, "someone-long".to_string())].into(),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        }
    }

    fn task() -> Task {
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
        t.stat.stime = 379;
        t.stat.vsize = 46_024 * 1024;
        t.stat.rss_pages = 2_896;
        t
    }

    fn texts(columns: &[TopColumn], row: &TopRow, cx: &TopContext) -> Vec<String> {
        columns.iter().map(|c| c.text(row, cx)).collect()
    }

    #[test]
    fn top_columns_give_tops_values() {
        let snap = snapshot();
        let cx = TopContext {
            rows: RowContext::new(&snap, true),
            et_scale: 100.0 / (100.0 * 3.0),
            cpu_max: cpu_max(2, false),
            full_command: false,
        };
        let t = task();
        let row = TopRow {
            task: &t,
            kind: Kind::Normal,
            ticks: 150,
            depth: 0,
            marks: Marks::default(),
            gone: false,
        };
        assert_eq!(
            texts(&default_columns(), &row, &cx),
            [
                "1",
                "root",
                "10",
                "-10",
                "46024",
                "11584",
                "7032",
                "S",
                "50.0",
                "0.0",
                "0:04.70",
                "process_api"
            ]
        );
        let tree = TopRow { depth: 2, ..row };
        assert_eq!(
            default_columns()[11].text(&tree, &cx),
            "     `- process_api"
        );
        // A task with more ticks than its threads can use is capped.
        let busy = TopRow {
            ticks: 1_000,
            ..row
        };
        assert_eq!(default_columns()[8].text(&busy, &cx), "100.0");
        assert_eq!(cpu_max(1, false), 99.9);
        assert_eq!(cpu_max(2, false), 200.0);
        assert_eq!(cpu_max(64, false), 6400.0);
        assert_eq!(cpu_max(16, true), 99.9);
    }

    #[test]
    fn ps_keywords_mix_with_top_columns() {
        let cols = parse_columns(&["pid,ppid,stat,%cpu,comm=NAME".into()]).unwrap();
        assert!(matches!(
            cols[0],
            TopColumn::Top {
                field: TopField::Pid,
                ..
            }
        ));
        assert!(matches!(&cols[1], TopColumn::Ps(c) if c.keyword.name == "ppid"));
        assert!(matches!(
            cols[3],
            TopColumn::Top {
                field: TopField::Cpu,
                ..
            }
        ));
        assert_eq!(cols[4].header(), "NAME");
        assert!(cols[4].is_command() && cols[4].width(5).is_none());
        assert_eq!(cols[1].width(5), Some(5));
        assert!(cols[1].is_named("ppid") && cols[2].is_named("STAT"));
        let e = parse_columns(&["pid,bogus".into()]).unwrap_err();
        assert_eq!(e.0, "bogus");
        let renamed = parse_columns(&["time+=CPU TIME,res".into()]).unwrap();
        assert_eq!(renamed[0].header(), "CPU TIME");
        assert_eq!(renamed[1].header(), "RES");
    }

    #[test]
    fn filters_see_numbers_and_text() {
        let snap = snapshot();
        let cx = TopContext {
            rows: RowContext::new(&snap, true),
            et_scale: 1.0,
            cpu_max: 200.0,
            full_command: true,
        };
        let t = task();
        let row = TopRow {
            task: &t,
            kind: Kind::Normal,
            ticks: 5,
            depth: 0,
            marks: Marks::default(),
            gone: false,
        };
        let cols = parse_columns(&["ni,%cpu,command,stat".into()]).unwrap();
        assert_eq!(cols[0].filter_value(&row, &cx), FilterValue::Number(-10.0));
        assert_eq!(cols[1].filter_value(&row, &cx), FilterValue::Number(5.0));
        assert_eq!(
            cols[2].filter_value(&row, &cx),
            FilterValue::Text("[process_api]".into())
        );
        assert_eq!(
            cols[3].filter_value(&row, &cx),
            FilterValue::Text("S<+".into())
        );
        assert!(cols[2].needs(true).cmdline);
        assert!(!cols[2].needs(false).cmdline);
        assert!(cols[3].needs(false).files.status > crate::model::StatusNeed::Nothing);
    }
}
