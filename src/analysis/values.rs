//! What each ps keyword prints for a task, exactly as procps-ng ps prints
//! it, what it sorts by, and which files it needs. The layout (widths,
//! padding, cutting to the room left) is the renderer's; this is the text.

use std::cmp::Ordering;

use super::keywords::{Field, Sort};
use super::kinship::Kind;
use super::psfmt;
use super::sched;
use super::state;
use crate::model::{
    cmdline_body, ExtraFiles, Needs, Snapshot, StatusFields, StatusNeed, Task, TaskExtras,
};
use crate::sys::time::strftime;

/// ps's output modifiers that change values (not layout).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueFlags {
    /// BSD `S`: children's CPU time and faults counted in.
    pub cumulative: bool,
    /// BSD `c`: command columns show the name, not the command line.
    pub true_command: bool,
    /// BSD `e`: the environment after the command.
    pub environment: bool,
    /// BSD `n`: user and group columns show numbers.
    pub numeric: bool,
    /// Signal masks in 16 digits (the line has room), else 8.
    pub wide_signals: bool,
}

/// What a task's row needs besides the task itself.
pub struct RowContext<'a> {
    pub snapshot: &'a Snapshot,
    /// Escape text for a UTF-8 terminal (see [`psfmt::escape`]).
    pub utf8: bool,
    pub flags: ValueFlags,
}

impl<'a> RowContext<'a> {
    pub fn new(snapshot: &'a Snapshot, utf8: bool) -> Self {
        RowContext {
            snapshot,
            utf8,
            flags: ValueFlags::default(),
        }
    }
}

/// A sortable form of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    Missing,
    Int(i128),
    Float(f64),
    Text(Vec<u8>),
    /// Compared as glibc's strverscmp compares (terminal names).
    Version(Vec<u8>),
}

impl SortValue {
    pub fn compare(&self, other: &SortValue) -> Ordering {
        use SortValue::*;
        match (self, other) {
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
            (Text(a), Text(b)) => a.cmp(b),
            (Version(a), Version(b)) => version_compare(a, b),
            (Missing, Missing) => Ordering::Equal,
            (Missing, _) => Ordering::Less,
            (_, Missing) => Ordering::Greater,
            _ => Ordering::Equal,
        }
    }
}

/// glibc's strverscmp: runs of digits compare by value, except that runs
/// with leading zeros compare as fractions.
fn version_compare(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let (si, sj) = (i, j);
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (x, y) = (&a[si..i], &b[sj..j]);
            let fractional = x[0] == b'0' || y[0] == b'0';
            let order = if fractional {
                x.cmp(y)
            } else {
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            };
            if order.is_ne() {
                return order;
            }
        } else {
            match a[i].cmp(&b[j]) {
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
                other => return other,
            }
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn dash() -> String {
    "-".to_string()
}

fn status(task: &Task) -> Option<&StatusFields> {
    task.status.as_deref()
}

fn extras(task: &Task) -> Option<&TaskExtras> {
    task.extras.as_deref()
}

/// User and system CPU time, with the children's when `cumulative`.
fn ticks(task: &Task, cumulative: bool) -> u64 {
    let own = task.cpu_ticks();
    if !cumulative {
        return own;
    }
    let more = task.more_stat();
    let children = more.cutime.max(0).saturating_add(more.cstime.max(0));
    own.saturating_add(children as u64)
}

/// procps's elapsed jiffies: (boot ticks - start) through a double.
fn elapsed_jiffies(task: &Task, cx: &RowContext) -> u64 {
    let boot = cx.snapshot.system.boot_ticks();
    boot.saturating_sub(task.stat.starttime)
}

/// A mask as ps prints it: 16 digits when wide, else the last 8 (with `<`
/// when digits were dropped).
fn signal_mask(mask: Option<u64>, wide: bool) -> String {
    let text = format!("{:016x}", mask.unwrap_or(0));
    if wide {
        return text;
    }
    let significant = text.trim_start_matches('0');
    if significant.len() > 8 {
        format!("<{}", &text[8..])
    } else {
        text[8..].to_string()
    }
}

/// A user or group name as ps prints it: the number when there is no
/// name, when the name is 33 bytes or more, or with BSD `n`.
fn id_name(id: Option<u32>, name: impl Fn(u32) -> String, numeric: bool) -> String {
    match id {
        None => dash(),
        Some(id) if numeric => id.to_string(),
        Some(id) => {
            let text = name(id);
            if text.len() >= 33 {
                id.to_string()
            } else {
                text
            }
        }
    }
}

/// An id printed as C's `%d` prints an unsigned one.
fn signed(id: Option<u32>) -> String {
    id.map_or_else(dash, |v| (v as i32).to_string())
}

/// ctime(3) of an instant, without the newline.
fn ctime(epoch: i64) -> String {
    strftime(epoch, "%a %b %e %H:%M:%S %Y")
}

impl Field {
    /// The text ps prints for this field (before the layout cuts or pads
    /// it); `-` where it has no value.
    /// The value without the padding ps puts inside some cells (` 1.2`,
    /// `  Dec 02`), for tables that align cells themselves.
    pub fn plain_text(self, task: &Task, kind: Kind, cx: &RowContext) -> String {
        let text = self.text(task, kind, cx);
        match text.trim() {
            trimmed if trimmed.len() == text.len() => text,
            trimmed => trimmed.to_string(),
        }
    }

    pub fn text(self, task: &Task, kind: Kind, cx: &RowContext) -> String {
        let s = &task.stat;
        let sys = &cx.snapshot.system;
        let st = status(task);
        let ex = extras(task);
        let flags = cx.flags;
        let user = |uid: Option<u32>| id_name(uid, |u| cx.snapshot.user_name(u), flags.numeric);
        let group = |gid: Option<u32>| id_name(gid, |g| cx.snapshot.group_name(g), flags.numeric);
        let io = |get: fn(&crate::model::IoCounters) -> u64| {
            ex.and_then(|e| e.io.as_ref()).map_or(0, get).to_string()
        };
        let namespace = |i: usize| {
            ex.and_then(|e| e.namespaces[i])
                .map_or_else(dash, |n| n.to_string())
        };
        let vm = |get: fn(&StatusFields) -> Option<u64>| st.and_then(get).unwrap_or(0);
        let more = task.more_status();
        let ms = task.more_stat();
        match self {
            Field::Pid => task.tgid.to_string(),
            Field::Lwp => task.pid.to_string(),
            Field::Ppid => (s.ppid as u32).to_string(),
            Field::Pgid => (s.pgrp as u32).to_string(),
            Field::Sid => s.session.to_string(),
            Field::Tpgid => s.tpgid.to_string(),
            Field::Tty => cx
                .snapshot
                .terminals
                .of(task.pid, s.tty_nr)
                .unwrap_or("?")
                .to_string(),
            Field::Tty4 => cx
                .snapshot
                .terminals
                .of(task.pid, s.tty_nr)
                .map_or("?", psfmt::tty_short)
                .to_string(),
            Field::User => user(task.euid()),
            Field::Ruser => user(task.ruid()),
            Field::Suser => user(more.suid),
            Field::Fuser => user(more.fsuid),
            Field::Egroup => group(st.and_then(|v| v.egid)),
            Field::Rgroup => group(st.and_then(|v| v.rgid)),
            Field::Sgroup => group(more.sgid),
            Field::Fgroup => group(more.fsgid),
            Field::Uid => signed(task.euid()),
            Field::Ruid => signed(task.ruid()),
            Field::Suid => signed(more.suid),
            Field::Fuid => signed(more.fsuid),
            Field::Egid => signed(st.and_then(|v| v.egid)),
            Field::Rgid => signed(st.and_then(|v| v.rgid)),
            Field::Sgid => signed(more.sgid),
            Field::Fgid => signed(more.fsgid),
            Field::SupGid => match more.groups.as_ref() {
                Some(groups) if !groups.is_empty() => groups
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => dash(),
            },
            Field::SupGrp => match more.groups.as_ref() {
                Some(groups) if !groups.is_empty() => groups
                    .iter()
                    .map(|&g| group(Some(g)))
                    .collect::<Vec<_>>()
                    .join(","),
                _ => dash(),
            },
            Field::Stat => state::stat_string(task),
            Field::State => s.state.to_string(),
            Field::SgiP => {
                if s.state == 'R' {
                    s.processor.map_or_else(dash, |p| (p as u32).to_string())
                } else {
                    "*".into()
                }
            }
            Field::Flags => format!("{:o}", (s.flags >> 6) & 7),
            Field::Nice => sched::nice(task).map_or_else(dash, |n| n.to_string()),
            Field::Pri => sched::ps_pri(s.priority).to_string(),
            Field::Priority => s.priority.to_string(),
            Field::Opri => sched::ps_opri(s.priority).to_string(),
            Field::PriApi => (-1i64).saturating_sub(s.priority).to_string(),
            Field::PriBar => s.priority.saturating_add(1).to_string(),
            Field::PriBaz => s.priority.saturating_add(100).to_string(),
            Field::PriFoo => s.priority.saturating_sub(20).to_string(),
            Field::Rtprio => sched::rtprio(task).map_or_else(dash, |r| r.to_string()),
            Field::Class => class_name(s.policy).to_string(),
            Field::Sched => s.policy.map_or_else(dash, |p| (p as i32).to_string()),
            Field::Pcpu => {
                let t = ticks(task, flags.cumulative);
                psfmt::percent_cpu(t, s.starttime, sys)
            }
            Field::C => {
                let life = elapsed_jiffies(task, cx);
                let percent = if life == 0 {
                    0
                } else {
                    (u128::from(ticks(task, flags.cumulative)) * 100 / u128::from(life)).min(99)
                };
                format!("{percent:2}")
            }
            Field::Cp => {
                let life = elapsed_jiffies(task, cx);
                let per_mille = if life == 0 {
                    0
                } else {
                    (u128::from(ticks(task, flags.cumulative)) * 1000 / u128::from(life)).min(999)
                };
                format!("{per_mille:3}")
            }
            Field::Cuu | Field::Cuc => {
                let life = elapsed_jiffies(task, cx);
                let t = ticks(task, self == Field::Cuc);
                let mut percent = if life == 0 {
                    0.0
                } else {
                    t as f64 * 100.0 / life as f64
                };
                if percent > 99.0 {
                    percent = 99.999;
                }
                format!("{percent:.3}")
            }
            // A status file that could not be read gives 0, as in ps.
            Field::Pmem => psfmt::percent_mem(vm(|v| v.vm_rss_kb), sys.mem_total_kb),
            Field::Vsz => vm(|v| v.vm_size_kb).to_string(),
            Field::Rss => vm(|v| v.vm_rss_kb).to_string(),
            Field::Sz => (vm(|v| v.vm_size_kb) / (sys.page_size / 1024).max(1)).to_string(),
            Field::Size => more
                .vm_data_kb
                .unwrap_or(0)
                .saturating_add(more.vm_stk_kb.unwrap_or(0))
                .to_string(),
            Field::MSize => s.vsize.to_string(),
            Field::Drs | Field::Dsiz => {
                let kb = if s.vsize == 0 {
                    0
                } else {
                    s.vsize.wrapping_sub(ms.endcode).wrapping_add(ms.startcode) >> 10
                };
                (kb as i64).to_string()
            }
            Field::Trs | Field::Tsiz => {
                let kb = if s.vsize == 0 {
                    0
                } else {
                    ms.endcode.wrapping_sub(ms.startcode) >> 10
                };
                (kb as i64).to_string()
            }
            Field::Lim => {
                if ms.rsslim == u64::MAX {
                    "xx".into()
                } else {
                    format!("{:5}", ms.rsslim >> 10)
                }
            }
            Field::Pss => ex.and_then(|e| e.smaps).map_or(0, |m| m.pss).to_string(),
            Field::Uss => ex
                .and_then(|e| e.smaps)
                .map_or(0, |m| m.private_clean.saturating_add(m.private_dirty))
                .to_string(),
            Field::Nlwp => s.num_threads.to_string(),
            Field::Majflt => {
                let mut n = ms.majflt;
                if flags.cumulative {
                    n = n.saturating_add(ms.cmajflt);
                }
                n.to_string()
            }
            Field::Minflt => {
                let mut n = ms.minflt;
                if flags.cumulative {
                    n = n.saturating_add(ms.cminflt);
                }
                n.to_string()
            }
            Field::Time => psfmt::cpu_time(task.cpu_ticks(), sys.hz),
            Field::Times => (task.cpu_ticks() / sys.hz.max(1)).to_string(),
            Field::BsdTime => psfmt::bsd_time(ticks(task, flags.cumulative), sys.hz),
            Field::Etime => psfmt::elapsed(sys.elapsed_secs(s.starttime)),
            Field::Etimes => sys.elapsed_secs(s.starttime).to_string(),
            Field::Start => psfmt::start(sys.start_epoch(s.starttime), sys.now),
            Field::StartTime => psfmt::start_time(sys.start_epoch(s.starttime), sys.now),
            Field::Lstart => psfmt::long_start(sys.start_epoch(s.starttime)),
            Field::BsdStart => {
                let epoch = sys.start_epoch(s.starttime);
                let text = ctime(epoch);
                let at = if sys.now.saturating_sub(epoch) > 86400 {
                    4
                } else {
                    10
                };
                text.get(at..at + 6).unwrap_or("").to_string()
            }
            Field::Psr => s.processor.map_or_else(dash, |p| p.to_string()),
            // As libnuma answers ps: the node of the CPU the task last ran
            // on, -1 where that cannot be told.
            Field::Numa => match (&sys.cpu_nodes, s.processor) {
                (Some(nodes), Some(cpu)) => usize::try_from(cpu)
                    .ok()
                    .and_then(|c| nodes.get(c))
                    .copied()
                    .unwrap_or(-1)
                    .to_string(),
                _ => "-1".into(),
            },
            Field::Comm | Field::Fname => {
                let mut text = psfmt::comm(&s.comm, cx.utf8);
                if flags.environment && self == Field::Comm {
                    append_environment(&mut text, task, cx.utf8);
                }
                text
            }
            Field::Args => {
                let mut text = if flags.true_command {
                    psfmt::comm(&s.comm, cx.utf8)
                } else {
                    psfmt::args(task.cmdline.as_deref(), &s.comm, s.state == 'Z', cx.utf8)
                };
                if flags.environment {
                    append_environment(&mut text, task, cx.utf8);
                }
                text
            }
            Field::Exe => ex
                .and_then(|e| e.exe.as_deref())
                .map_or_else(dash, |p| psfmt::escape(p, cx.utf8)),
            Field::Cgroup => ex
                .and_then(|e| e.cgroup.as_deref())
                .map_or_else(dash, |c| cgroup_text(c, cx.utf8)),
            Field::CgroupName => {
                let all = ex
                    .and_then(|e| e.cgroup.as_deref())
                    .map_or_else(dash, |c| cgroup_text(c, cx.utf8));
                // The part after `:name=` where there is one, else all of it.
                match all.find(":name=") {
                    Some(at) if all.len() > at + 6 => all[at + 6..].to_string(),
                    _ => all,
                }
            }
            Field::CgroupNs => namespace(0),
            Field::IpcNs => namespace(1),
            Field::MntNs => namespace(2),
            Field::NetNs => namespace(3),
            Field::PidNs => namespace(4),
            Field::TimeNs => namespace(5),
            Field::UserNs => namespace(6),
            Field::UtsNs => namespace(7),
            Field::Context => ex.and_then(|e| e.label.as_deref()).map_or_else(dash, |l| {
                let printable: Vec<u8> = l
                    .iter()
                    .copied()
                    .take_while(|b| (0x20..0x7f).contains(b))
                    .collect();
                if printable.is_empty() {
                    dash()
                } else {
                    String::from_utf8_lossy(&printable).into_owned()
                }
            }),
            Field::Oom => ex.and_then(|e| e.oom_score).unwrap_or(0).to_string(),
            Field::OomAdj => ex.and_then(|e| e.oom_score_adj).unwrap_or(0).to_string(),
            Field::Luid => match ex.and_then(|e| e.loginuid) {
                Some(uid) if uid != u32::MAX => (uid as i32).to_string(),
                _ => dash(),
            },
            Field::AutogroupId => ex
                .and_then(|e| e.autogroup)
                .map_or(-1, |(id, _)| id)
                .to_string(),
            Field::AutogroupNice => ex
                .and_then(|e| e.autogroup)
                .map_or(0, |(_, nice)| nice)
                .to_string(),
            Field::Wchan => wchan_text(ex.and_then(|e| e.wchan.as_deref())),
            Field::Rchars => io(|i| i.rchar),
            Field::Wchars => io(|i| i.wchar),
            Field::Rops => io(|i| i.syscr),
            Field::Wops => io(|i| i.syscw),
            Field::Rbytes => io(|i| i.read_bytes),
            Field::Wbytes => io(|i| i.write_bytes),
            Field::Wcbytes => io(|i| i.cancelled_write_bytes),
            Field::Pending => {
                let masks = more.signals;
                let mask = masks.map(|m| {
                    if task.is_thread() {
                        m.pending
                    } else {
                        m.shared_pending
                    }
                });
                signal_mask(mask, flags.wide_signals)
            }
            Field::Tsig => signal_mask(more.signals.map(|m| m.pending), flags.wide_signals),
            Field::Blocked => signal_mask(more.signals.map(|m| m.blocked), flags.wide_signals),
            Field::Ignored => signal_mask(more.signals.map(|m| m.ignored), flags.wide_signals),
            Field::Caught => signal_mask(more.signals.map(|m| m.caught), flags.wide_signals),
            Field::Eip => format!("{:016x}", ms.kstkeip),
            Field::Esp => format!("{:016x}", ms.kstkesp),
            Field::StackP => format!("{:016x}", ms.startstack),
            Field::Unit | Field::Uunit | Field::Slice | Field::Lsession | Field::Ouid => {
                let cgroup = ex.and_then(|e| e.cgroup.as_deref()).unwrap_or(b"");
                super::systemd::value(self, cgroup).unwrap_or_else(dash)
            }
            Field::Seat | Field::Machine | Field::Lxc => {
                let cgroup = ex.and_then(|e| e.cgroup.as_deref()).unwrap_or(b"");
                match self {
                    Field::Lxc => super::systemd::lxc_name(cgroup).unwrap_or_else(dash),
                    _ => dash(),
                }
            }
            Field::TestLeft
            | Field::TestLeft2
            | Field::TestRight
            | Field::TestRight2
            | Field::TestUnlimited
            | Field::TestUnlimited2 => test_text(self, 0, true),
            Field::Nop => dash(),
            // An AIX format's literal text: the layout prints its header.
            Field::AixText => String::new(),
            Field::Kind => kind.label().to_string(),
        }
    }

    /// Files beyond stat that this field needs.
    pub fn needs(self) -> Needs {
        let status = |level| Needs {
            status: level,
            ..Needs::default()
        };
        let extra = |files| Needs {
            extras: files,
            ..Needs::default()
        };
        match self {
            Field::User
            | Field::Ruser
            | Field::Uid
            | Field::Ruid
            | Field::Egid
            | Field::Rgid
            | Field::Egroup
            | Field::Rgroup => status(StatusNeed::Ids),
            Field::Suser
            | Field::Fuser
            | Field::Suid
            | Field::Fuid
            | Field::Sgid
            | Field::Fgid
            | Field::Sgroup
            | Field::Fgroup => status(StatusNeed::All),
            Field::Majflt
            | Field::Minflt
            | Field::Cuc
            | Field::Drs
            | Field::Dsiz
            | Field::Trs
            | Field::Tsiz
            | Field::Lim
            | Field::Eip
            | Field::Esp
            | Field::StackP => Needs {
                more_stat: true,
                ..Needs::default()
            },
            Field::Stat | Field::Pmem | Field::Vsz | Field::Rss | Field::Sz => {
                status(StatusNeed::Memory)
            }
            Field::SupGid
            | Field::SupGrp
            | Field::Size
            | Field::Pending
            | Field::Tsig
            | Field::Blocked
            | Field::Ignored
            | Field::Caught => status(StatusNeed::All),
            Field::Args => Needs {
                cmdline: true,
                ..Needs::default()
            },
            Field::Pss | Field::Uss => extra(ExtraFiles::SMAPS_ROLLUP),
            Field::Rchars
            | Field::Wchars
            | Field::Rops
            | Field::Wops
            | Field::Rbytes
            | Field::Wbytes
            | Field::Wcbytes => extra(ExtraFiles::IO),
            Field::Cgroup
            | Field::CgroupName
            | Field::Unit
            | Field::Uunit
            | Field::Slice
            | Field::Lsession
            | Field::Ouid
            | Field::Lxc => extra(ExtraFiles::CGROUP),
            Field::CgroupNs
            | Field::IpcNs
            | Field::MntNs
            | Field::NetNs
            | Field::PidNs
            | Field::TimeNs
            | Field::UserNs
            | Field::UtsNs => extra(ExtraFiles::NAMESPACES),
            Field::Oom | Field::OomAdj => extra(ExtraFiles::OOM),
            Field::Luid => extra(ExtraFiles::LOGINUID),
            Field::Exe => extra(ExtraFiles::EXE),
            Field::AutogroupId | Field::AutogroupNice => extra(ExtraFiles::AUTOGROUP),
            Field::Wchan => extra(ExtraFiles::WCHAN),
            Field::Context => extra(ExtraFiles::ATTR_CURRENT),
            Field::Numa => Needs {
                numa_nodes: true,
                ..Needs::default()
            },
            _ => Needs::default(),
        }
    }
}

/// A keyword's value with its JSON type.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Null,
    Int(i128),
    Float(f64),
    Text(String),
}

impl serde::Serialize for Typed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Typed::Null => serializer.serialize_none(),
            // JSON numbers: i64 or u64 where they fit, else a float.
            Typed::Int(n) => match (i64::try_from(*n), u64::try_from(*n)) {
                (Ok(v), _) => serializer.serialize_i64(v),
                (_, Ok(v)) => serializer.serialize_u64(v),
                _ => serializer.serialize_f64(*n as f64),
            },
            Typed::Float(f) => serializer.serialize_f64(*f),
            Typed::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl Field {
    /// The value for JSON: numbers for numeric keywords, signal masks as
    /// all 16 digits, text otherwise, and null for `-`.
    pub fn typed(self, task: &Task, kind: Kind, cx: &RowContext, numeric: bool) -> Typed {
        let wide = RowContext {
            snapshot: cx.snapshot,
            utf8: true,
            flags: ValueFlags {
                wide_signals: true,
                ..cx.flags
            },
        };
        let text = self.text(task, kind, &wide);
        let trimmed = text.trim();
        if trimmed == "-" {
            return Typed::Null;
        }
        let mask = matches!(
            self,
            Field::Pending | Field::Tsig | Field::Blocked | Field::Ignored | Field::Caught
        );
        if numeric && !mask {
            if let Ok(n) = trimmed.parse::<i128>() {
                return Typed::Int(n);
            }
            if let Ok(f) = trimmed.parse::<f64>() {
                return Typed::Float(f);
            }
        }
        Typed::Text(text)
    }
}

/// What the BSD `e` modifier needs besides the command.
pub fn environment_needs() -> Needs {
    Needs {
        extras: ExtraFiles::ENVIRON,
        ..Needs::default()
    }
}

fn append_environment(text: &mut String, task: &Task, utf8: bool) {
    let Some(env) = task
        .extras
        .as_deref()
        .and_then(|e| e.environ.as_deref())
        .filter(|e| !e.is_empty())
    else {
        return;
    };
    let joined: Vec<u8> = cmdline_body(env)
        .iter()
        .map(|&b| if b == 0 || b == b'\n' { b' ' } else { b })
        .collect();
    text.push(' ');
    text.push_str(&psfmt::escape(&joined, utf8));
}

/// ps's `class`: the policy's abbreviation.
pub fn class_name(policy: Option<u32>) -> &'static str {
    match policy.map(|p| p as i32) {
        None | Some(-1) => "-",
        Some(0) => "TS",
        Some(1) => "FF",
        Some(2) => "RR",
        Some(3) => "B",
        Some(4) => "ISO",
        Some(5) => "IDL",
        Some(6) => "DLN",
        Some(7) => "#7",
        Some(8) => "#8",
        Some(9) => "#9",
        Some(_) => "?",
    }
}

/// /proc/PID/cgroup as ps's `cgroup` shows it: the lines that name a group
/// other than the root, joined with commas.
fn cgroup_text(raw: &[u8], utf8: bool) -> String {
    let lines: Vec<String> = raw
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && !l.ends_with(b"/"))
        .map(|l| psfmt::escape(l, utf8))
        .collect();
    if lines.is_empty() {
        dash()
    } else {
        lines.join(",")
    }
}

/// /proc/TID/wchan as ps shows it: `?` when unreadable or empty, `-` for
/// 0 (not sleeping), else the symbol without leading dots and underscores.
fn wchan_text(raw: Option<&[u8]>) -> String {
    match raw {
        None => "?".into(),
        Some(b"") => "?".into(),
        Some(b"0") => dash(),
        Some(name) => {
            let trimmed: &[u8] = {
                let mut n = name;
                while let Some((&first, rest)) = n.split_first() {
                    if first == b'.' || first == b'_' {
                        n = rest;
                    } else {
                        break;
                    }
                }
                n
            };
            String::from_utf8_lossy(trimmed).into_owned()
        }
    }
}

/// The text of ps's test columns on a row. ps picks it by a line counter
/// that starts at -1 after a header (-2 without one) and goes down a row at
/// a time, taken as an unsigned number modulo the list's length.
pub fn test_text(field: Field, row: usize, header: bool) -> String {
    let list: &[&str] = match field {
        Field::TestLeft => &["tty7", "pts/9999", "iseries/vtty42", "ttySMX0", "3270/tty4"],
        Field::TestLeft2 => &["tty7", "pts/9999", "ttySMX0", "3270/tty4"],
        Field::TestRight => &["999-23:59:59", "99-23:59:59", "9-23:59:59", "59:59"],
        Field::TestRight2 => &["999-23:59:59", "99-23:59:59", "9-23:59:59"],
        Field::TestUnlimited => &["[123456789-12345] <defunct>", "ps", "123456789-123456"],
        Field::TestUnlimited2 => &[
            "unlimited",
            "[123456789-12345] <defunct>",
            "ps",
            "123456789-123456",
        ],
        _ => &["-"],
    };
    let start: i64 = if header { -1 } else { -2 };
    let counter = (start - row as i64) as i32 as u32;
    list[(counter as usize) % list.len()].to_string()
}

impl Sort {
    /// The value a row sorts by for this item.
    pub fn value(self, task: &Task, kind: Kind, cx: &RowContext) -> SortValue {
        let s = &task.stat;
        let st = status(task);
        let ex = extras(task);
        let int = |v: i128| SortValue::Int(v);
        let text = |f: Field| SortValue::Text(f.text(task, kind, cx).into_bytes());
        let uint = |v: Option<u32>| v.map_or(SortValue::Missing, |v| int(v.into()));
        let io = |get: fn(&crate::model::IoCounters) -> u64| {
            int(ex.and_then(|e| e.io.as_ref()).map_or(0, get).into())
        };
        let ns = |i: usize| int(ex.and_then(|e| e.namespaces[i]).unwrap_or(0).into());
        let more = task.more_status();
        let ms = task.more_stat();
        let mask = |get: fn(&crate::model::SignalMasks) -> u64| {
            SortValue::Text(format!("{:016x}", more.signals.map_or(0, |m| get(&m))).into_bytes())
        };
        match self {
            Sort::IdTgid => int(task.tgid.into()),
            Sort::IdPid => int(task.pid.into()),
            Sort::IdPpid => int(s.ppid.into()),
            Sort::IdPgrp => int(s.pgrp.into()),
            Sort::IdSession => int(s.session.into()),
            Sort::IdTpgid => int(s.tpgid.into()),
            Sort::IdEuid => uint(task.euid()),
            Sort::IdRuid => uint(task.ruid()),
            Sort::IdSuid => uint(more.suid),
            Sort::IdFuid => uint(more.fsuid),
            Sort::IdEgid => uint(st.and_then(|v| v.egid)),
            Sort::IdRgid => uint(st.and_then(|v| v.rgid)),
            Sort::IdSgid => uint(more.sgid),
            Sort::IdFgid => uint(more.fsgid),
            Sort::IdEuser => text(Field::User),
            Sort::IdRuser => text(Field::Ruser),
            Sort::IdSuser => text(Field::Suser),
            Sort::IdFuser => text(Field::Fuser),
            Sort::IdEgroup => text(Field::Egroup),
            Sort::IdRgroup => text(Field::Rgroup),
            Sort::IdSgroup => text(Field::Sgroup),
            Sort::IdFgroup => text(Field::Fgroup),
            Sort::IdLogin => int(ex.and_then(|e| e.loginuid).map_or(-1, |u| u as i32).into()),
            Sort::State => int(s.state as i128),
            Sort::Flags => int(s.flags.into()),
            Sort::Nice => int(s.nice.into()),
            Sort::Priority => int(s.priority.into()),
            Sort::PriorityRt => int(s.rt_priority.unwrap_or(0).into()),
            Sort::SchedClass => int(s.policy.map_or(-1, |p| p as i32).into()),
            Sort::Processor => int(s.processor.unwrap_or(0).into()),
            Sort::ProcessorNode => int(0),
            Sort::Nlwp => int(s.num_threads.into()),
            Sort::Utilization | Sort::UtilizationC => {
                let life = elapsed_jiffies(task, cx);
                let t = ticks(task, self == Sort::UtilizationC || cx.flags.cumulative);
                SortValue::Float(if life == 0 {
                    0.0
                } else {
                    t as f64 * 100.0 / life as f64
                })
            }
            Sort::TimeAll => int((task.cpu_ticks() / cx.snapshot.system.hz.max(1)).into()),
            Sort::TicsAll => int(ticks(task, cx.flags.cumulative).into()),
            Sort::TicsUser => int(s.utime.into()),
            Sort::TicsUserC => int(i128::from(s.utime) + i128::from(ms.cutime)),
            Sort::TicsBegan => int(s.starttime.into()),
            Sort::TimeElapsed => int(cx.snapshot.system.elapsed_secs(s.starttime).into()),
            Sort::VmRss => int(st.and_then(|v| v.vm_rss_kb).unwrap_or(0).into()),
            Sort::VmSize => int(st.and_then(|v| v.vm_size_kb).unwrap_or(0).into()),
            Sort::VmData => int(more.vm_data_kb.unwrap_or(0).into()),
            Sort::VmStack => int(more.vm_stk_kb.unwrap_or(0).into()),
            Sort::VmRssLocked => int(st.and_then(|v| v.vm_lck_kb).unwrap_or(0).into()),
            Sort::VmExe | Sort::VmLib | Sort::MemResPgs | Sort::MemShrPgs => int(0),
            Sort::VsizeBytes => int(s.vsize.into()),
            Sort::RssRlim => int(ms.rsslim.into()),
            Sort::FltMaj => int(ms.majflt.into()),
            Sort::FltMin => int(ms.minflt.into()),
            Sort::AddrCodeStart => int(ms.startcode.into()),
            Sort::AddrCodeEnd => int(ms.endcode.into()),
            Sort::AddrStackStart => int(ms.startstack.into()),
            Sort::AddrCurrEip => int(ms.kstkeip.into()),
            Sort::AddrCurrEsp => int(ms.kstkesp.into()),
            Sort::TtyName => SortValue::Version(Field::Tty.text(task, kind, cx).into_bytes()),
            Sort::Cmd => text(Field::Comm),
            Sort::Cmdline => text(Field::Args),
            Sort::Exe => text(Field::Exe),
            Sort::Cgroup => text(Field::Cgroup),
            Sort::Cgname => text(Field::CgroupName),
            Sort::Lxcname => text(Field::Lxc),
            Sort::SdUnit => text(Field::Unit),
            Sort::SdUunit => text(Field::Uunit),
            Sort::SdSlice => text(Field::Slice),
            Sort::SdSess => text(Field::Lsession),
            Sort::SdOuid => text(Field::Ouid),
            Sort::SdSeat => text(Field::Seat),
            Sort::SdMach => text(Field::Machine),
            Sort::WchanName => text(Field::Wchan),
            Sort::Supgids => text(Field::SupGid),
            Sort::Supgroups => text(Field::SupGrp),
            Sort::Sigblocked => mask(|m| m.blocked),
            Sort::Sigcatch => mask(|m| m.caught),
            Sort::Sigignore => mask(|m| m.ignored),
            Sort::Signals => mask(|m| {
                if m.shared_pending != 0 {
                    m.shared_pending
                } else {
                    m.pending
                }
            }),
            Sort::Sigpending => mask(|m| m.pending),
            Sort::SmapPss => int(ex.and_then(|e| e.smaps).map_or(0, |m| m.pss).into()),
            Sort::SmapPrvTotal => int(ex
                .and_then(|e| e.smaps)
                .map_or(0, |m| m.private_clean.saturating_add(m.private_dirty))
                .into()),
            Sort::IoReadBytes => io(|i| i.read_bytes),
            Sort::IoReadChars => io(|i| i.rchar),
            Sort::IoReadOps => io(|i| i.syscr),
            Sort::IoWriteBytes => io(|i| i.write_bytes),
            Sort::IoWriteCbytes => io(|i| i.cancelled_write_bytes),
            Sort::IoWriteChars => io(|i| i.wchar),
            Sort::IoWriteOps => io(|i| i.syscw),
            Sort::NsCgroup => ns(0),
            Sort::NsIpc => ns(1),
            Sort::NsMnt => ns(2),
            Sort::NsNet => ns(3),
            Sort::NsPid => ns(4),
            Sort::NsTime => ns(5),
            Sort::NsUser => ns(6),
            Sort::NsUts => ns(7),
            Sort::OomScore => int(ex.and_then(|e| e.oom_score).unwrap_or(0).into()),
            Sort::OomAdj => int(ex.and_then(|e| e.oom_score_adj).unwrap_or(0).into()),
            Sort::AutogrpId => int(ex.and_then(|e| e.autogroup).map_or(-1, |a| a.0).into()),
            Sort::AutogrpNice => int(ex.and_then(|e| e.autogroup).map_or(0, |a| a.1).into()),
            Sort::Noop => SortValue::Missing,
        }
    }

    /// What sorting by this item reads.
    pub fn needs(self) -> Needs {
        crate::analysis::keywords::KEYWORDS
            .iter()
            .filter(|k| k.sort == self)
            .fold(Needs::default(), |n, k| n.union(k.field.needs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_cut_as_ps_cuts_them() {
        assert_eq!(signal_mask(Some(0x4e8), true), "00000000000004e8");
        assert_eq!(signal_mask(Some(0x4e8), false), "000004e8");
        assert_eq!(signal_mask(Some(0x0001_8000_04e8), false), "<800004e8");
        assert_eq!(signal_mask(None, false), "00000000");
    }

    #[test]
    fn wchan_loses_leading_dots_and_underscores() {
        assert_eq!(wchan_text(Some(b"__x64_sys_poll")), "x64_sys_poll");
        assert_eq!(wchan_text(Some(b"0")), "-");
        assert_eq!(wchan_text(Some(b"")), "?");
        assert_eq!(wchan_text(None), "?");
    }

    #[test]
    fn versions_compare_as_strverscmp() {
        assert_eq!(version_compare(b"pts/10", b"pts/9"), Ordering::Greater);
        assert_eq!(version_compare(b"tty1", b"pts/0"), Ordering::Greater);
        assert_eq!(version_compare(b"?", b"?"), Ordering::Equal);
        assert_eq!(version_compare(b"a01", b"a1"), Ordering::Less);
    }

    #[test]
    fn cgroups_skip_the_root() {
        assert_eq!(cgroup_text(b"1:cpu:/\n0::/\n", true), "-");
        assert_eq!(
            cgroup_text(b"4:memory:/a/b\n1:cpu:/\n0::/x\n", true),
            "4:memory:/a/b,0::/x"
        );
    }
}
