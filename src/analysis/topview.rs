//! How the live view shows a frame: which rows (a user, `o` filters such
//! as `STAT=Z`, `NI>0` or `COMMAND=sleep`, idle tasks hidden), in which
//! order (a sort column, high to low as top sorts, or the tree), and what
//! it reads for that.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::columns;
use super::topcols::{FilterValue, TopColumn, TopContext, TopField, TopRow};
use crate::model::LiveNeeds;

/// Everything the keys of the live view change.
#[derive(Debug, Clone)]
pub struct View {
    pub columns: Vec<TopColumn>,
    /// The column rows are sorted by (shown or not).
    pub sort: TopColumn,
    /// High to low, as top sorts by default; `R` turns it around.
    pub descending: bool,
    /// The tree view (`V`): children under their parent, by start time.
    pub tree: bool,
    /// One row per thread (`H`).
    pub threads: bool,
    /// COMMAND shows command lines (`c`).
    pub full_command: bool,
    /// Only tasks that used CPU in the interval (`i`).
    pub hide_idle: bool,
    /// One CPU line per CPU (`1`).
    pub per_cpu: bool,
    pub user: Option<UserFilter>,
    pub filters: Vec<Filter>,
    /// Only these PIDs (`-p`).
    pub pids: Vec<i32>,
}

impl View {
    pub fn new(columns: Vec<TopColumn>) -> View {
        View {
            columns,
            sort: top_column(TopField::Cpu),
            descending: true,
            tree: false,
            threads: false,
            full_command: false,
            hide_idle: false,
            per_cpu: false,
            user: None,
            filters: Vec::new(),
            pids: Vec::new(),
        }
    }

    /// Sorts by one of top's columns, high to low (`P`, `M`, `T`, `N`);
    /// like top, this leaves the tree view.
    pub fn sort_by(&mut self, field: TopField) {
        self.sort = self
            .columns
            .iter()
            .find(|c| matches!(c, TopColumn::Top { field: f, .. } if *f == field))
            .cloned()
            .unwrap_or_else(|| top_column(field));
        self.descending = true;
        self.tree = false;
    }

    /// `<` and `>`: the sort moves to the shown column left or right of
    /// the present one (from outside the shown ones, to the first or last).
    pub fn move_sort(&mut self, right: bool) {
        if self.columns.is_empty() {
            return;
        }
        let last = self.columns.len() - 1;
        let at = match self.columns.iter().position(|c| *c == self.sort) {
            Some(at) if right => (at + 1).min(last),
            Some(at) => at.saturating_sub(1),
            None if right => last,
            None => 0,
        };
        self.sort = self.columns[at].clone();
    }

    /// What the rows shown, sorted and filtered need read.
    pub fn needs(&self) -> LiveNeeds {
        let mut needs = self
            .columns
            .iter()
            .chain(std::iter::once(&self.sort))
            .chain(self.filters.iter().map(|f| &f.column))
            .fold(LiveNeeds::default(), |n, c| {
                n.union(c.needs(self.full_command))
            });
        needs.owner |= self.user.is_some();
        needs.threads = self.threads;
        needs
    }

    /// Whether a row passes the user, PID, idle and `o` filters.
    pub fn keeps(&self, row: &TopRow, cx: &TopContext) -> bool {
        if !self.pids.is_empty() && !self.pids.contains(&row.task.tgid) {
            return false;
        }
        if let Some(user) = self.user {
            if (row.task.owner_uid == Some(user.uid)) == user.negate {
                return false;
            }
        }
        if self.hide_idle && row.ticks == 0 {
            return false;
        }
        self.filters.iter().all(|f| f.matches(row, cx))
    }

    /// The rows to show, in the order to show them.
    pub fn arrange<'a>(&self, rows: Vec<TopRow<'a>>, cx: &TopContext) -> Vec<TopRow<'a>> {
        let kept: Vec<TopRow> = rows.into_iter().filter(|r| self.keeps(r, cx)).collect();
        self.order(kept.len(), |i| kept[i], cx)
            .into_iter()
            .map(|(i, depth)| TopRow {
                depth,
                ..kept[i as usize]
            })
            .collect()
    }

    /// The order of the `n` rows `row` makes (already filtered): their
    /// places, each with its depth in the tree. Only indexes are held, so
    /// a frame of 20,000 rows sorts in a few hundred kilobytes.
    pub fn order<'a>(
        &self,
        n: usize,
        row: impl Fn(usize) -> TopRow<'a>,
        cx: &TopContext,
    ) -> Vec<(u32, u16)> {
        if self.tree {
            return forest(n, row);
        }
        let direct = |o: Ordering| if self.descending { o.reverse() } else { o };
        // Equal keys keep /proc's order (by PID, the gone ones last), as
        // top's stable sort keeps them.
        let tie = |a: &TopRow, b: &TopRow| {
            (a.gone, a.task.tgid, a.task.pid).cmp(&(b.gone, b.task.tgid, b.task.pid))
        };
        let mut order: Vec<u32> = (0..n as u32).collect();
        if self.sort.sorts_by_number() {
            order.sort_unstable_by(|&a, &b| {
                let (a, b) = (row(a as usize), row(b as usize));
                let o = self
                    .sort
                    .sort_value(&a, cx)
                    .compare(&self.sort.sort_value(&b, cx));
                direct(o).then_with(|| tie(&a, &b))
            });
        } else {
            // Text keys are made once each.
            let keys: Vec<_> = (0..n).map(|i| self.sort.sort_value(&row(i), cx)).collect();
            order.sort_unstable_by(|&a, &b| {
                let (a, b) = (a as usize, b as usize);
                direct(keys[a].compare(&keys[b])).then_with(|| tie(&row(a), &row(b)))
            });
        }
        order.into_iter().map(|i| (i, 0)).collect()
    }
}

/// One of top's columns under its own header.
pub fn top_column(field: TopField) -> TopColumn {
    TopColumn::Top {
        field,
        header: field.header().to_string(),
    }
}

/// The column a name means in a filter or a sort: one of top's headers,
/// or a ps keyword by name (in any case).
pub fn column_named(name: &str) -> Option<TopColumn> {
    if let Some(field) = TopField::named(name) {
        return Some(top_column(field));
    }
    columns::column(name)
        .or_else(|| columns::column(&name.to_ascii_lowercase()))
        .map(TopColumn::Ps)
}

/// `--sort`: a column name, `-` before it for high to low (as `pscope
/// --sort` reads it), `+` or nothing for low to high.
pub fn parse_sort(spec: &str) -> Result<(TopColumn, bool), String> {
    let (descending, name) = match spec.as_bytes().first() {
        Some(b'-') => (true, &spec[1..]),
        Some(b'+') => (false, &spec[1..]),
        _ => (false, spec),
    };
    column_named(name)
        .map(|c| (c, descending))
        .ok_or_else(|| format!("unknown column '{name}' to sort by"))
}

/// `u`: the processes of one user (by effective uid), or with `!` all
/// but them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserFilter {
    pub uid: u32,
    pub negate: bool,
}

/// How a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// The text shown contains the value.
    Contains,
    Less,
    Greater,
}

/// An `o` filter: `[!]FIELD=VALUE`, `FIELD<VALUE` or `FIELD>VALUE`.
#[derive(Debug, Clone)]
pub struct Filter {
    pub column: TopColumn,
    pub op: FilterOp,
    pub value: String,
    pub negate: bool,
    /// As it was typed.
    pub text: String,
}

/// Parses an `o` filter. `<` and `>` compare numbers where both sides are
/// numbers (NI>0, %CPU>5), else text.
pub fn parse_filter(text: &str) -> Result<Filter, String> {
    let typed = text.trim();
    let (negate, body) = match typed.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, typed),
    };
    let at = body
        .find(['=', '<', '>'])
        .filter(|&at| at > 0)
        .ok_or_else(|| format!("'{typed}': expected FIELD=VALUE, FIELD<VALUE or FIELD>VALUE"))?;
    let name = body[..at].trim();
    let op = match body.as_bytes()[at] {
        b'=' => FilterOp::Contains,
        b'<' => FilterOp::Less,
        _ => FilterOp::Greater,
    };
    let column = column_named(name).ok_or_else(|| format!("'{name}' is not a column"))?;
    Ok(Filter {
        column,
        op,
        value: body[at + 1..].to_string(),
        negate,
        text: typed.to_string(),
    })
}

impl Filter {
    pub fn matches(&self, row: &TopRow, cx: &TopContext) -> bool {
        let value = self.column.filter_value(row, cx);
        let hit = match (self.op, &value) {
            (FilterOp::Contains, _) => self.column.text(row, cx).trim().contains(&self.value),
            (op, FilterValue::Number(n)) => match self.value.trim().parse::<f64>() {
                Ok(wanted) => compare(op, n.partial_cmp(&wanted)),
                Err(_) => compare(op, Some(self.column.text(row, cx).trim().cmp(&self.value))),
            },
            (op, FilterValue::Text(t)) => compare(op, Some(t.as_str().cmp(self.value.as_str()))),
        };
        hit != self.negate
    }
}

fn compare(op: FilterOp, order: Option<Ordering>) -> bool {
    match op {
        FilterOp::Less => order == Some(Ordering::Less),
        FilterOp::Greater => order == Some(Ordering::Greater),
        FilterOp::Contains => false,
    }
}

/// top's forest: roots and then each one's children, depth first, each
/// level in order of start time; a thread under its process, a task
/// whose parent is not shown as a root. A cycle in hostile data leaves
/// its tasks at the end, as roots.
fn forest<'a>(n: usize, row: impl Fn(usize) -> TopRow<'a>) -> Vec<(u32, u16)> {
    let rows: Vec<TopRow> = (0..n).map(&row).collect();
    let index: HashMap<i32, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.task.pid, i))
        .collect();
    let parent_of = |r: &TopRow| {
        let t = r.task;
        let parent = if t.pid != t.tgid { t.tgid } else { t.stat.ppid };
        index
            .get(&parent)
            .copied()
            .filter(|&p| rows[p].task.pid != t.pid)
    };
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match parent_of(r) {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let by_start = |list: &mut Vec<usize>| {
        list.sort_by_key(|&i| (rows[i].task.stat.starttime, rows[i].task.pid));
    };
    by_start(&mut roots);
    for list in &mut children {
        by_start(list);
    }
    let mut out = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    let mut stack: Vec<(usize, u16)> = roots.iter().rev().map(|&i| (i, 0)).collect();
    let mut leftovers = 0;
    loop {
        while let Some((i, depth)) = stack.pop() {
            if placed[i] {
                continue;
            }
            placed[i] = true;
            out.push((i as u32, depth));
            let below = depth.saturating_add(1);
            stack.extend(children[i].iter().rev().map(|&c| (c, below)));
        }
        // Tasks in a cycle were never reached from a root.
        match (leftovers..n).find(|&i| !placed[i]) {
            Some(i) => {
                leftovers = i;
                stack.push((i, 0));
            }
            None => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::changes::Marks;
    use crate::analysis::kinship::Kind;
    use crate::analysis::topcols::default_columns;
    use crate::analysis::values::RowContext;
    use crate::model::{Snapshot, SystemInfo, Task};

    fn task(pid: i32, ppid: i32, nice: i64, start: u64, comm: &str, state: char) -> Task {
        let mut t = Task {
            pid,
            tgid: pid,
            owner_uid: Some(if pid % 2 == 0 { 0 } else { 1000 }),
            ..Task::default()
        };
        t.stat.ppid = ppid;
        t.stat.nice = nice;
        t.stat.starttime = start;
        t.stat.comm = comm.as_bytes().to_vec();
        t.stat.state = state;
        t.stat.num_threads = 1;
        t
    }

    fn tasks() -> Vec<Task> {
        vec![
            task(1, 0, 0, 1, "init", 'S'),
            task(10, 1, 0, 5, "bash", 'S'),
            task(11, 10, 10, 9, "sleep", 'S'),
            task(12, 10, 0, 7, "yes", 'R'),
            task(13, 12, 0, 8, "true", 'Z'),
            task(14, 99, 0, 3, "orphaned", 'S'),
        ]
    }

    fn rows(tasks: &[Task]) -> Vec<TopRow<'_>> {
        tasks
            .iter()
            .map(|t| TopRow {
                task: t,
                kind: Kind::Normal,
                ticks: if t.pid == 12 { 90 } else { (t.pid % 3) as u64 },
                depth: 0,
                marks: Marks::default(),
                gone: false,
            })
            .collect()
    }

    fn pids(rows: &[TopRow]) -> Vec<i32> {
        rows.iter().map(|r| r.task.pid).collect()
    }

    fn with_cx<R>(f: impl FnOnce(&TopContext) -> R) -> R {
        let snap = Snapshot {
            system: SystemInfo::default(),
            tasks: Vec::new(),
            users: Default::default(),
            groups: Default::default(),
            warnings: Vec::new(),
            terminals: Default::default(),
        };
        let cx = TopContext {
            rows: RowContext::new(&snap, true),
            et_scale: 1.0,
            cpu_max: 200.0,
            full_command: false,
        };
        f(&cx)
    }

    #[test]
    fn rows_sort_high_to_low_with_ties_in_pid_order() {
        let tasks = tasks();
        with_cx(|cx| {
            let mut view = View::new(default_columns());
            assert_eq!(
                pids(&view.arrange(rows(&tasks), cx)),
                [12, 11, 14, 1, 10, 13]
            );
            view.descending = false;
            assert_eq!(
                pids(&view.arrange(rows(&tasks), cx)),
                [1, 10, 13, 11, 14, 12]
            );
            view.sort_by(TopField::Pid);
            assert_eq!(
                pids(&view.arrange(rows(&tasks), cx)),
                [14, 13, 12, 11, 10, 1]
            );
            view.move_sort(true);
            assert!(view.sort.is_named("USER"));
            view.move_sort(false);
            view.move_sort(false);
            assert!(view.sort.is_named("PID"));
        });
    }

    #[test]
    fn the_tree_puts_children_under_parents_by_start_time() {
        let tasks = tasks();
        with_cx(|cx| {
            let mut view = View::new(default_columns());
            view.tree = true;
            let arranged = view.arrange(rows(&tasks), cx);
            assert_eq!(pids(&arranged), [1, 10, 12, 13, 11, 14]);
            let depths: Vec<u16> = arranged.iter().map(|r| r.depth).collect();
            assert_eq!(depths, [0, 1, 2, 3, 2, 0]);
        });
    }

    #[test]
    fn a_cycle_in_the_tree_still_shows_every_task() {
        let tasks = vec![task(5, 6, 0, 1, "a", 'S'), task(6, 5, 0, 2, "b", 'S')];
        with_cx(|cx| {
            let mut view = View::new(default_columns());
            view.tree = true;
            assert_eq!(pids(&view.arrange(rows(&tasks), cx)), [5, 6]);
        });
    }

    #[test]
    fn filters_users_and_idle_tasks() {
        let tasks = tasks();
        with_cx(|cx| {
            let mut view = View::new(default_columns());
            view.sort_by(TopField::Pid);
            view.descending = false;
            let keep = |view: &View| pids(&view.arrange(rows(&tasks), cx));
            view.filters = vec![parse_filter("STAT=Z").unwrap()];
            assert_eq!(keep(&view), [13]);
            view.filters = vec![parse_filter("NI>0").unwrap()];
            assert_eq!(keep(&view), [11]);
            view.filters = vec![parse_filter("COMMAND=sleep").unwrap()];
            assert_eq!(keep(&view), [11]);
            view.filters = vec![parse_filter("!COMMAND=s").unwrap()];
            assert_eq!(keep(&view), [1, 13, 14]);
            view.filters.clear();
            view.user = Some(UserFilter {
                uid: 0,
                negate: false,
            });
            assert_eq!(keep(&view), [10, 12, 14]);
            view.user = Some(UserFilter {
                uid: 0,
                negate: true,
            });
            view.hide_idle = true;
            assert_eq!(keep(&view), [1, 11, 13]);
            assert!(parse_filter("=3").is_err());
            assert!(parse_filter("BOGUS=3").is_err());
            assert!(parse_filter("ni").is_err());
            assert!(view.needs().owner);
        });
    }

    #[test]
    fn sort_names_take_a_direction() {
        let (c, down) = parse_sort("-%mem").unwrap();
        assert!(down && c.is_named("%MEM"));
        let (c, down) = parse_sort("ppid").unwrap();
        assert!(!down && c.is_named("ppid"));
        assert!(parse_sort("-nothing").is_err());
    }
}
