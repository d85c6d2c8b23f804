//! ps's hierarchy views (`f`, `--forest`, `-H`): the order procps-ng ps
//! prints processes in, and the art before each command.

use std::collections::HashSet;

use super::psquery::ForestMode;
use crate::model::Task;

/// The art of one level: a branch still to be continued, a finished one,
/// and the process's own.
const CONTINUED: &str = " |  ";
const FINISHED: &str = "    ";
const OWN: &str = " \\_ ";
const INDENT: &str = "  ";

/// A row of the hierarchy: the index of its task and the art before its
/// command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForestRow {
    pub index: usize,
    pub prefix: Vec<&'static str>,
}

/// Orders `tasks` (already sorted as ps sorts them for a forest: by
/// parent, then start time, or by the user's keys then start time) into
/// the hierarchy ps prints. Roots are the processes whose parent is not
/// among them, taken from the end of the order backwards; each process's
/// children are the run of processes that follows the first one naming it
/// as parent.
pub fn forest(tasks: &[&Task], mode: ForestMode) -> Vec<ForestRow> {
    let pids: HashSet<i32> = tasks.iter().map(|t| t.tgid).collect();
    let mut rows = Vec::with_capacity(tasks.len());
    let mut visited = vec![false; tasks.len()];
    let mut more: Vec<bool> = Vec::new();
    for i in (0..tasks.len()).rev() {
        if pids.contains(&tasks[i].stat.ppid) && tasks[i].stat.ppid != tasks[i].tgid {
            continue;
        }
        visit(tasks, i, 0, mode, &mut more, &mut visited, &mut rows);
    }
    rows
}

fn visit(
    tasks: &[&Task],
    index: usize,
    level: usize,
    mode: ForestMode,
    more: &mut Vec<bool>,
    visited: &mut [bool],
    rows: &mut Vec<ForestRow>,
) {
    if std::mem::replace(&mut visited[index], true) {
        return;
    }
    rows.push(ForestRow {
        index,
        prefix: prefix(level, mode, more),
    });
    let pid = tasks[index].tgid;
    let Some(first) = tasks
        .iter()
        .position(|t| t.stat.ppid == pid && t.tgid != pid)
    else {
        return;
    };
    let run_end = tasks[first..]
        .iter()
        .position(|t| t.stat.ppid != pid)
        .map_or(tasks.len(), |n| first + n);
    // In the art view, PID 1's children stand at its own level.
    let child_level = if mode == ForestMode::Art && pid == 1 {
        level
    } else {
        level + 1
    };
    for child in first..run_end {
        let last = child + 1 == run_end;
        if child_level > level {
            more.truncate(level);
            more.push(!last);
        }
        visit(tasks, child, child_level, mode, more, visited, rows);
    }
    more.truncate(level);
}

/// The art before a process at `level`, from whether each ancestor's
/// level has more siblings to come.
fn prefix(level: usize, mode: ForestMode, more: &[bool]) -> Vec<&'static str> {
    if level == 0 {
        return Vec::new();
    }
    if mode == ForestMode::Indent {
        return vec![INDENT; level];
    }
    let mut parts: Vec<&'static str> = (1..level)
        .map(|l| {
            if more.get(l - 1).copied().unwrap_or(false) {
                CONTINUED
            } else {
                FINISHED
            }
        })
        .collect();
    parts.push(OWN);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StatFields;

    fn t(pid: i32, ppid: i32) -> Task {
        Task {
            pid,
            tgid: pid,
            stat: StatFields {
                ppid,
                ..StatFields::default()
            },
            ..Task::default()
        }
    }

    fn art(tasks: &[Task], mode: ForestMode) -> Vec<(i32, String)> {
        let refs: Vec<&Task> = tasks.iter().collect();
        forest(&refs, mode)
            .into_iter()
            .map(|r| (tasks[r.index].pid, r.prefix.concat()))
            .collect()
    }

    #[test]
    fn children_follow_their_parent_with_art() {
        // Sorted by parent: 22961's children, then 22963's, then 22964's.
        let tasks = vec![
            t(22961, 100),
            t(22963, 22961),
            t(22964, 22961),
            t(22966, 22963),
            t(22967, 22963),
            t(22965, 22964),
        ];
        assert_eq!(
            art(&tasks, ForestMode::Art),
            vec![
                (22961, String::new()),
                (22963, " \\_ ".into()),
                (22966, " |   \\_ ".into()),
                (22967, " |   \\_ ".into()),
                (22964, " \\_ ".into()),
                (22965, "     \\_ ".into()),
            ]
        );
        assert_eq!(art(&tasks, ForestMode::Indent)[2].1, "    ");
    }

    #[test]
    fn roots_come_from_the_end_and_init_keeps_its_children_level() {
        let tasks = vec![t(1, 0), t(2, 0), t(3, 2), t(50, 1), t(51, 50)];
        assert_eq!(
            art(&tasks, ForestMode::Art),
            vec![
                (2, String::new()),
                (3, " \\_ ".into()),
                (1, String::new()),
                (50, String::new()),
                (51, " \\_ ".into()),
            ]
        );
        let indent = art(&tasks, ForestMode::Indent);
        assert_eq!(indent[3], (50, "  ".into()));
    }
}
