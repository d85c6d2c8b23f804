//! Tree text laid out exactly as psmisc's pstree lays it out: the first
//! child on its parent's line, `N*[...]` for identical siblings, lines cut
//! at the width with a `+`.

use std::collections::HashMap;

use super::{Tone, ANSI_BOLD, ANSI_RESET};
use crate::analysis::columns::{Column, RowContext};
use crate::analysis::kinship::{Kind, Kinship};
use crate::analysis::tree::{Forest, NodeKind, TreeOptions};
use crate::analysis::{sched, state};
use crate::model::Snapshot;

/// Line-drawing pieces: empty, branch, vertical, last, single, first.
#[derive(Debug, Clone, Copy)]
pub struct Symbols {
    empty: &'static str,
    branch: &'static str,
    vert: &'static str,
    last: &'static str,
    single: &'static str,
    first: &'static str,
}

pub const ASCII: Symbols = Symbols {
    empty: "  ",
    branch: "|-",
    vert: "| ",
    last: "`-",
    single: "---",
    first: "-+-",
};

pub const UNICODE: Symbols = Symbols {
    empty: "  ",
    branch: "├─",
    vert: "│ ",
    last: "└─",
    single: "───",
    first: "─┬─",
};

/// What to write for each node besides its name.
#[derive(Debug, Clone, Default)]
pub struct NodeText {
    /// Process group ID (`-g`).
    pub pgid: i32,
    /// The user name shown by `-u` when the user changes.
    pub user: String,
    /// Raw command line, for `-a` (None when unreadable or not asked).
    pub cmdline: Option<Vec<u8>>,
    /// Appended after the name and ids: ` Ss+ 0`, ` 812 root`...
    pub extra: String,
    /// The zombie or orphan mark (` <defunct>`, ` [orphan]`), and the
    /// tone to color it in (on a terminal).
    pub mark: &'static str,
    pub mark_tone: Tone,
    /// Draw the name in bold (`-H`).
    pub bold: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub symbols: Symbols,
    pub pids: bool,
    pub pgids: bool,
    pub args: bool,
    pub uid_changes: bool,
    pub compact: bool,
    /// Cut lines at this many columns; `None` for `-l`.
    pub width: Option<usize>,
}

/// The text and pstree's cursor: `x` starts at 1 and counts characters
/// (not bytes), and a character is written while `x` is within the width
/// after counting it, so a cut line holds width - 1 characters and a `+`.
struct Out {
    text: String,
    x: usize,
    width: Option<usize>,
}

impl Out {
    fn ch(&mut self, c: char) {
        self.x += 1;
        match self.width {
            Some(w) if self.x > w => {
                if self.x == w + 1 {
                    self.text.push('+');
                }
            }
            _ => self.text.push(c),
        }
    }

    fn str(&mut self, s: &str) {
        for c in s.chars() {
            self.ch(c);
        }
    }

    /// Writes text that is not counted (terminal attributes).
    fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn newline(&mut self) {
        self.text.push('\n');
        self.x = 1;
    }

    /// pstree's `cur_x`.
    fn column(&self) -> usize {
        self.x
    }
}

/// Escapes bytes as pstree does: `\\` doubled, printable ASCII kept,
/// anything else as a three-digit octal escape.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b' '..=b'~' => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03o}")),
        }
    }
    s
}

/// A PID or PGID as pstree writes it: its digit loop writes nothing for
/// 0 (PID 1's process group in a container is 0: `init()` with `-g`).
pub fn pstree_number(n: i32) -> String {
    if n == 0 {
        return String::new();
    }
    n.to_string()
}

/// Splits a command line as pstree does for `-a`: the arguments after
/// argv[0]. Runs of NULs count once when counting arguments, but the
/// pointers walk one NUL at a time, so empty arguments shift the list
/// (this is what makes pstree print `a b c d` for `a b c "" d`).
pub fn pstree_args(cmdline: &[u8], width: Option<usize>) -> Option<Vec<Vec<u8>>> {
    // pstree reads at most width+1 bytes and keeps width of them.
    let limit = width.unwrap_or(8192);
    let mut data = if cmdline.len() > limit {
        cmdline[..limit].to_vec()
    } else {
        cmdline.to_vec()
    };
    if data.is_empty() {
        return None;
    }
    data.push(0);
    let size = data.len();
    let mut argc = 0;
    let mut i = 0;
    while i < size - 1 {
        if data[i] == 0 {
            argc += 1;
            while data[i] == 0 && i < size - 1 {
                i += 1;
            }
        }
        i += 1;
    }
    let Some(first_nul) = data.iter().position(|&b| b == 0) else {
        return Some(Vec::new());
    };
    let mut args = Vec::with_capacity(argc);
    let mut start = first_nul + 1;
    for _ in 0..argc {
        let end = data[start.min(size)..]
            .iter()
            .position(|&b| b == 0)
            .map_or(size, |p| start + p);
        args.push(data[start.min(end)..end].to_vec());
        start = end + 1;
    }
    Some(args)
}

struct Renderer<'a> {
    forest: &'a Forest<'a>,
    texts: &'a HashMap<usize, NodeText>,
    layout: Layout,
    out: Out,
    /// Per level: the width of the parent's label and whether more
    /// siblings follow (pstree's `width[]` and `more[]`).
    widths: Vec<isize>,
    more: Vec<bool>,
    /// Subtree identity for compaction: equal ids, equal subtrees.
    shape: Vec<u32>,
    visited: Vec<bool>,
}

/// What to write after each name, besides pstree's own ids.
#[derive(Debug, Clone, Default)]
pub struct Annotations<'a> {
    /// STAT and NI after the name (`--stat`).
    pub stat: bool,
    /// ps keywords after the name (`-o`).
    pub columns: &'a [Column],
    /// The zombie and orphan marks.
    pub marks: bool,
    /// Color the marks and bold the highlighted chain.
    pub color: bool,
    /// `-H`: this node and its ancestors are drawn in bold.
    pub highlight: Option<usize>,
    /// What the layout shows that lives in the node text (`-g`, `-u`, `-a`).
    pub pgids: bool,
    pub users: bool,
    pub args: bool,
}

/// The zombie or orphan mark of a process, and its tone.
fn mark(kind: Kind) -> (&'static str, Tone) {
    match kind {
        Kind::Zombie => (" <defunct>", super::tone(kind)),
        Kind::Orphan => (" [orphan]", super::tone(kind)),
        _ => ("", Tone::Plain),
    }
}

/// The text each node adds to its name. Most nodes add nothing, so the
/// map stays small (sizing it for every node would cost megabytes on a
/// large machine).
pub fn annotate(
    forest: &Forest,
    snapshot: &Snapshot,
    kinship: &Kinship,
    rows: &RowContext,
    what: &Annotations,
) -> HashMap<usize, NodeText> {
    let highlighted: Vec<usize> = match what.highlight {
        Some(n) => std::iter::once(n).chain(forest.ancestors(n)).collect(),
        None => Vec::new(),
    };
    let mut texts = HashMap::new();
    for (n, node) in forest.nodes.iter().enumerate() {
        let Some(task) = forest.task(n, &snapshot.tasks) else {
            continue;
        };
        let kind = forest.kind(n, task, kinship);
        let mut extra = String::new();
        if what.stat {
            extra.push(' ');
            extra.push_str(&state::stat_string(task));
            extra.push(' ');
            extra.push_str(&sched::nice(task).map_or("-".into(), |v| v.to_string()));
        }
        for column in what.columns {
            extra.push(' ');
            extra.push_str(&column.field().plain_text(task, kind, rows));
        }
        let (mark, tone) = if what.marks {
            mark(kind)
        } else {
            ("", Tone::Plain)
        };
        let bold = what.color && highlighted.contains(&n);
        let needed = what.pgids || what.users || what.args;
        if !needed && extra.is_empty() && mark.is_empty() && !bold {
            continue;
        }
        texts.insert(
            n,
            NodeText {
                pgid: task.stat.pgrp,
                user: if what.users {
                    snapshot.user_name(node.uid)
                } else {
                    String::new()
                },
                cmdline: task.cmdline.clone(),
                extra,
                mark,
                mark_tone: if what.color { tone } else { Tone::Plain },
                bold,
            },
        );
    }
    texts
}

/// The subtree of `pid` as `pscope tree -p` draws it, with STAT after each
/// name when `stat` (for the lab demonstrations); empty when `pid` is not
/// in the snapshot.
pub fn subtree_text(snapshot: &Snapshot, pid: i32, stat: bool) -> String {
    let kinship = Kinship::new(&snapshot.tasks);
    let forest = Forest::build(&snapshot.tasks, TreeOptions::default());
    let Some(root) = forest.find(pid) else {
        return String::new();
    };
    let mut texts = HashMap::new();
    for n in forest.subtree(root) {
        if let Some(task) = forest.task(n, &snapshot.tasks) {
            let extra = if stat {
                format!(" {}", state::stat_string(task))
            } else {
                String::new()
            };
            texts.insert(
                n,
                NodeText {
                    extra,
                    mark: mark(forest.kind(n, task, &kinship)).0,
                    ..NodeText::default()
                },
            );
        }
    }
    let layout = Layout {
        symbols: ASCII,
        pids: true,
        pgids: false,
        args: false,
        uid_changes: false,
        compact: false,
        width: None,
    };
    render(&forest, &[(root, 0)], &texts, layout)
}

/// Renders the trees at `roots`, a blank line between trees. Each root
/// comes with the user it is compared with for `-u` (pstree uses 0 for a
/// single tree and the selected user for a user's trees).
pub fn render(
    forest: &Forest,
    roots: &[(usize, u32)],
    texts: &HashMap<usize, NodeText>,
    layout: Layout,
) -> String {
    let mut r = Renderer {
        forest,
        texts,
        layout,
        out: Out {
            text: String::new(),
            x: 1,
            width: layout.width,
        },
        widths: Vec::new(),
        more: Vec::new(),
        shape: Vec::new(),
        visited: vec![false; forest.nodes.len()],
    };
    if layout.compact {
        r.shape = shapes(forest, texts, layout.uid_changes);
    }
    for (i, &(root, prev_uid)) in roots.iter().enumerate() {
        if i > 0 {
            r.out.text.push('\n');
        }
        r.dump(root, 0, 1, true, true, prev_uid, 0);
    }
    r.out.text
}

/// What makes two subtrees the same: name, user, added text, children.
type ShapeKey<'a> = (&'a [u8], u32, String, Vec<u32>);

/// Gives every subtree an id such that equal ids mean pstree would merge
/// them: same name, same user (with -u), same text, same children.
fn shapes(forest: &Forest, texts: &HashMap<usize, NodeText>, by_uid: bool) -> Vec<u32> {
    let mut ids = vec![u32::MAX; forest.nodes.len()];
    let mut interned: HashMap<ShapeKey, u32> = HashMap::new();
    // Children before parents: walk a post-order from every node once.
    let mut order = Vec::with_capacity(forest.nodes.len());
    let mut state = vec![0u8; forest.nodes.len()];
    for start in 0..forest.nodes.len() {
        let mut stack = vec![(start, false)];
        while let Some((n, done)) = stack.pop() {
            if done {
                order.push(n);
                continue;
            }
            if state[n] != 0 {
                continue;
            }
            state[n] = 1;
            stack.push((n, true));
            for &c in &forest.nodes[n].children {
                if state[c] == 0 {
                    stack.push((c, false));
                }
            }
        }
    }
    for n in order {
        let node = &forest.nodes[n];
        let children: Vec<u32> = node.children.iter().map(|&c| ids[c]).collect();
        let extra = texts
            .get(&n)
            .map(|t| format!("{}{}", t.extra, t.mark))
            .unwrap_or_default();
        let key = (
            &node.name[..],
            if by_uid { node.uid } else { 0 },
            extra,
            children,
        );
        let next = interned.len() as u32;
        ids[n] = *interned.entry(key).or_insert(next);
    }
    ids
}

impl Renderer<'_> {
    fn level_slot(&mut self, level: usize) {
        if self.widths.len() <= level {
            self.widths.resize(level + 1, 0);
            self.more.resize(level + 1, false);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn dump(
        &mut self,
        n: usize,
        level: usize,
        rep: usize,
        leaf: bool,
        last: bool,
        prev_uid: u32,
        closing: usize,
    ) {
        if std::mem::replace(&mut self.visited[n], true) {
            return;
        }
        let sym = self.layout.symbols;
        if !leaf {
            for lvl in 0..level {
                let spaces = (self.widths[lvl] + 1).max(0) as usize;
                for _ in 0..spaces {
                    self.out.ch(' ');
                }
                let piece = if lvl == level - 1 {
                    if last {
                        sym.last
                    } else {
                        sym.branch
                    }
                } else if self.more[lvl + 1] {
                    sym.vert
                } else {
                    sym.empty
                };
                self.out.str(piece);
            }
        }
        let add = if rep < 2 {
            0
        } else {
            let count = rep.to_string();
            self.out.str(&count);
            self.out.str("*[");
            count.len() + 2
        };
        let forest = self.forest;
        let node = &forest.nodes[n];
        let default = NodeText::default();
        let text = self.texts.get(&n).unwrap_or(&default);
        // Threads and `?` stand-ins have no arguments; a process with an
        // empty command line (kernel thread, zombie) has none either, which
        // -a shows by wrapping the name in parentheses.
        let args = match (&node.kind, &text.cmdline) {
            _ if !self.layout.args => None,
            (NodeKind::Process(_), Some(raw)) => pstree_args(raw, self.layout.width),
            (NodeKind::Process(_), None) => None,
            _ => Some(Vec::new()),
        };
        let swapped = self.layout.args;
        // pstree wraps the name in parentheses when -a finds no command line.
        let no_cmdline = swapped && args.is_none();
        if no_cmdline {
            self.out.ch('(');
        }
        if text.bold {
            self.out.raw(ANSI_BOLD);
        }
        let name = escape(&node.name);
        let name_len = name.chars().count() as isize;
        self.out.str(&name);
        let offset = self.out.column();
        let mut info = swapped;
        let mut open = |out: &mut Out| {
            out.ch(if info { ',' } else { '(' });
            info = true;
        };
        if self.layout.pids {
            open(&mut self.out);
            self.out.str(&pstree_number(node.pid));
        }
        if self.layout.pgids {
            open(&mut self.out);
            self.out.str(&pstree_number(text.pgid));
        }
        if self.layout.uid_changes && prev_uid != node.uid {
            open(&mut self.out);
            self.out.str(&text.user);
        }
        if no_cmdline || (!swapped && info) {
            self.out.ch(')');
        }
        if text.bold {
            self.out.raw(ANSI_RESET);
        }
        self.out.str(&text.extra);
        if let Some(args) = &args {
            let argc = args.len();
            for (i, arg) in args.iter().enumerate() {
                let is_last = i + 1 == argc;
                if !is_last {
                    self.out.ch(' ');
                }
                // pstree measures printable bytes as 1 and others as 4.
                let len: usize = arg
                    .iter()
                    .map(|b| if (b' '..=b'~').contains(b) { 1 } else { 4 })
                    .sum();
                let room = self
                    .layout
                    .width
                    .map(|w| w as isize - if is_last { 0 } else { 4 });
                let fits = room.is_none_or(|room| (self.out.column() + len) as isize <= room);
                if fits {
                    self.out.str(&escape(arg));
                } else {
                    self.out.str("...");
                    break;
                }
            }
        }
        if !text.mark.is_empty() {
            let color = text.mark_tone.ansi();
            if let Some(color) = color {
                self.out.raw(color);
            }
            self.out.str(text.mark);
            if color.is_some() {
                self.out.raw(ANSI_RESET);
            }
        }
        // A child already drawn can only come from a cycle in a captured
        // tree; it is not drawn twice.
        let children: Vec<usize> = node
            .children
            .iter()
            .copied()
            .filter(|&c| !self.visited[c])
            .collect();
        let uid = node.uid;
        let is_thread_child = |r: &Self, c: usize| r.forest.nodes[c].is_thread();
        if swapped || children.is_empty() {
            for _ in 0..closing {
                self.out.ch(']');
            }
            self.out.newline();
        }
        self.level_slot(level);
        self.more[level] = !last;
        if swapped {
            self.widths[level] = 1 + if name_len > 1 { 0 } else { -1 };
            let groups = self.groups(&children, |r, c| r.layout.compact && is_thread_child(r, c));
            let count = groups.len();
            for (i, (child, reps)) in groups.into_iter().enumerate() {
                let close = if reps > 1 { 1 } else { 0 };
                self.dump(child, level + 1, reps, false, i + 1 == count, uid, close);
            }
            return;
        }
        if children.is_empty() {
            return;
        }
        self.widths[level] = name_len + (self.out.column() - offset) as isize + add as isize;
        if self.layout.width.is_some_and(|w| self.out.column() >= w) {
            self.out.str(sym.first);
            self.out.str("+");
            self.out.newline();
            return;
        }
        let groups = self.groups(&children, |r, _| r.layout.compact);
        let count = groups.len();
        for (i, (child, reps)) in groups.into_iter().enumerate() {
            if i == 0 {
                self.out.str(if count > 1 { sym.first } else { sym.single });
            }
            let close = closing + if reps > 1 { 1 } else { 0 };
            self.dump(child, level + 1, reps, i == 0, i + 1 == count, uid, close);
        }
    }

    /// Siblings with how many identical ones each stands for, in order of
    /// first appearance (pstree merges later twins into the first).
    fn groups(
        &self,
        children: &[usize],
        may_merge: impl Fn(&Self, usize) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::with_capacity(children.len());
        let mut first_of: HashMap<u32, usize> = HashMap::new();
        for &c in children {
            if self.visited[c] {
                continue;
            }
            if may_merge(self, c) {
                let shape = self.shape[c];
                if let Some(&slot) = first_of.get(&shape) {
                    if may_merge(self, out[slot].0) {
                        out[slot].1 += 1;
                        continue;
                    }
                }
                first_of.insert(shape, out.len());
            }
            out.push((c, 1));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_pstree() {
        assert_eq!(escape(b"we ird) (x"), "we ird) (x");
        assert_eq!(escape(b"t\tab\\bs"), "t\\011ab\\\\bs");
        assert_eq!(escape("u\u{e9}".as_bytes()), "u\\303\\251");
    }

    #[test]
    fn zero_is_written_as_pstree_writes_it() {
        assert_eq!(pstree_number(0), "");
        assert_eq!(pstree_number(1), "1");
        assert_eq!(pstree_number(4_194_304), "4194304");
    }

    #[test]
    fn arguments_follow_pstree_quirks() {
        let args = |raw: &[u8]| {
            pstree_args(raw, None)
                .unwrap()
                .into_iter()
                .map(|a| String::from_utf8(a).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(args(b"sleep\x00100\x00"), ["100", ""]);
        assert_eq!(
            args(b"bash\0-c\0x\0a\0b c\0\0d\0"),
            ["-c", "x", "a", "b c", "", "d"]
        );
        assert_eq!(pstree_args(b"", None), None);
        // Cut at the width: the last argument loses its NUL.
        assert_eq!(
            pstree_args(b"python3\0-c\0import x\0", Some(15))
                .unwrap()
                .len(),
            2
        );
    }
}
