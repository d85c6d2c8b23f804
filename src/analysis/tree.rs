//! The process tree as pstree builds it: processes under their parents,
//! threads as `{name}` children, a `?` stand-in for a parent that cannot be
//! seen, siblings sorted by name (then user, then PID) or by PID.

use std::borrow::Cow;
use std::collections::HashMap;

use super::kinship::{Kind, Kinship};
use crate::model::Task;

/// The PID pstree starts from, and adopts unplaced processes under.
pub const ROOT_PID: i32 = 1;

/// What a node of the tree stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// `tasks[i]`.
    Process(usize),
    /// Thread `j` of `tasks[i]`.
    Thread(usize, usize),
    /// A parent that is not in /proc (hidden, or PID 0), shown as `?`.
    Placeholder,
}

#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub kind: NodeKind,
    pub pid: i32,
    /// The name as pstree prints and sorts it: `comm` (borrowed from the
    /// task), `{comm}`, or `?`.
    pub name: Cow<'a, [u8]>,
    pub uid: u32,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

impl Node<'_> {
    pub fn is_thread(&self) -> bool {
        matches!(self.kind, NodeKind::Thread(..))
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct TreeOptions {
    /// Siblings by PID instead of by name.
    pub by_pid: bool,
    pub hide_threads: bool,
    /// Threads under their own names rather than their process's.
    pub thread_names: bool,
}

/// Every process and thread, linked to its parent.
#[derive(Debug)]
pub struct Forest<'a> {
    pub nodes: Vec<Node<'a>>,
    by_pid: HashMap<i32, usize>,
}

impl<'a> Forest<'a> {
    pub fn build(tasks: &'a [Task], options: TreeOptions) -> Forest<'a> {
        let mut forest = Forest {
            nodes: Vec::with_capacity(tasks.len() + 8),
            by_pid: HashMap::with_capacity(tasks.len()),
        };
        for (i, task) in tasks.iter().enumerate() {
            let uid = owner(task);
            let node = forest.push(Node {
                kind: NodeKind::Process(i),
                pid: task.pid,
                name: Cow::Borrowed(&task.stat.comm),
                uid,
                parent: None,
                children: Vec::new(),
            });
            forest.by_pid.insert(task.pid, node);
        }
        for (i, task) in tasks.iter().enumerate() {
            let node = forest.by_pid[&task.pid];
            let ppid = if task.stat.ppid == task.pid {
                0
            } else {
                task.stat.ppid
            };
            let parent = forest.node_or_placeholder(ppid);
            forest.link(parent, node);
            if options.hide_threads {
                continue;
            }
            for (j, thread) in task.threads.iter().enumerate() {
                if thread.pid == task.pid {
                    continue;
                }
                let comm = if options.thread_names {
                    &thread.stat.comm
                } else {
                    &task.stat.comm
                };
                let mut name = Vec::with_capacity(comm.len() + 2);
                name.push(b'{');
                name.extend_from_slice(comm);
                name.push(b'}');
                let t = forest.push(Node {
                    kind: NodeKind::Thread(i, j),
                    pid: thread.pid,
                    name: Cow::Owned(name),
                    uid: forest.nodes[node].uid,
                    parent: None,
                    children: Vec::new(),
                });
                forest.link(node, t);
            }
        }
        // Stand-ins for unseen parents hang under the root, as in pstree
        // (which shows hidepid gaps this way).
        let root = forest.node_or_placeholder(ROOT_PID);
        let orphans: Vec<usize> = (0..forest.nodes.len())
            .filter(|&n| {
                let node = &forest.nodes[n];
                node.parent.is_none() && node.pid != ROOT_PID && node.pid != 0
            })
            .collect();
        for n in orphans {
            if n != root {
                forest.link(root, n);
            }
        }
        forest.sort(options.by_pid);
        forest
    }

    fn push(&mut self, node: Node<'a>) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn node_or_placeholder(&mut self, pid: i32) -> usize {
        if let Some(&n) = self.by_pid.get(&pid) {
            return n;
        }
        let n = self.push(Node {
            kind: NodeKind::Placeholder,
            pid,
            name: Cow::Borrowed(b"?"),
            uid: 0,
            parent: None,
            children: Vec::new(),
        });
        self.by_pid.insert(pid, n);
        n
    }

    fn link(&mut self, parent: usize, child: usize) {
        if parent == child {
            return;
        }
        self.nodes[child].parent = Some(parent);
        self.nodes[parent].children.push(child);
    }

    fn sort(&mut self, by_pid: bool) {
        for n in 0..self.nodes.len() {
            let mut children = std::mem::take(&mut self.nodes[n].children);
            let nodes = &self.nodes;
            if by_pid {
                children.sort_by_key(|&c| nodes[c].pid);
            } else {
                children.sort_by(|&a, &b| {
                    let (a, b) = (&nodes[a], &nodes[b]);
                    (&a.name, a.uid, a.pid).cmp(&(&b.name, b.uid, b.pid))
                });
            }
            self.nodes[n].children = children;
        }
    }

    /// The task behind a node, if it is not a `?` stand-in.
    pub fn task<'t>(&self, n: usize, tasks: &'t [Task]) -> Option<&'t Task> {
        match self.nodes[n].kind {
            NodeKind::Process(i) => tasks.get(i),
            NodeKind::Thread(i, j) => tasks.get(i).and_then(|t| t.threads.get(j)),
            NodeKind::Placeholder => None,
        }
    }

    /// The verdict on a node's process; threads are never judged.
    pub fn kind(&self, n: usize, task: &Task, kinship: &Kinship) -> Kind {
        match self.nodes[n].kind {
            NodeKind::Process(_) => kinship.kind(task),
            _ => Kind::Normal,
        }
    }

    pub fn find(&self, pid: i32) -> Option<usize> {
        self.by_pid
            .get(&pid)
            .copied()
            .filter(|&n| !matches!(self.nodes[n].kind, NodeKind::Placeholder))
    }

    /// The node of PID 1, a `?` stand-in when PID 1 cannot be seen
    /// (hidepid), as pstree draws it.
    pub fn root(&self) -> Option<usize> {
        self.by_pid.get(&ROOT_PID).copied()
    }

    /// The ancestors of `node`, nearest first, each once even if the links
    /// form a cycle.
    pub fn ancestors(&self, node: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        seen[node] = true;
        let mut current = node;
        while let Some(parent) = self.nodes[current].parent {
            if std::mem::replace(&mut seen[parent], true) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }

    /// For `-s`: each ancestor of `node` keeps only the child on the path.
    pub fn keep_only_ancestry(&mut self, node: usize) {
        let mut child = node;
        for parent in self.ancestors(node) {
            self.nodes[parent].children = vec![child];
            child = parent;
        }
    }

    /// Nodes from `start` down, depth first, each once even if the links
    /// form a cycle (possible in a captured tree, never in a live one).
    pub fn subtree(&self, start: usize) -> Vec<usize> {
        let mut seen = vec![false; self.nodes.len()];
        let mut order = Vec::new();
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            order.push(n);
            stack.extend(self.nodes[n].children.iter().rev());
        }
        order
    }

    /// The first nodes, in pre-order from the root, owned by `uid`; their
    /// subtrees are not searched further (pstree USER).
    pub fn roots_of_user(&self, uid: u32) -> Vec<usize> {
        let Some(root) = self.by_pid.get(&ROOT_PID).copied() else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            if self.nodes[n].uid == uid && !matches!(self.nodes[n].kind, NodeKind::Placeholder) {
                found.push(n);
                continue;
            }
            stack.extend(self.nodes[n].children.iter().rev());
        }
        found
    }
}

/// The user pstree shows: the owner of /proc/PID, else the effective uid.
fn owner(task: &Task) -> u32 {
    task.owner_uid.or_else(|| task.euid()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StatFields;

    fn t(pid: i32, ppid: i32, comm: &str) -> Task {
        Task {
            pid,
            tgid: pid,
            stat: StatFields {
                ppid,
                comm: comm.as_bytes().to_vec(),
                ..StatFields::default()
            },
            ..Task::default()
        }
    }

    fn names(f: &Forest, n: usize) -> Vec<String> {
        f.nodes[n]
            .children
            .iter()
            .map(|&c| String::from_utf8_lossy(&f.nodes[c].name).into_owned())
            .collect()
    }

    #[test]
    fn children_sort_by_name_then_pid_and_threads_are_braced() {
        let mut init = t(1, 0, "init");
        init.threads = vec![t(1, 0, "init"), t(9, 0, "worker")];
        let tasks = vec![init, t(5, 1, "sshd"), t(3, 1, "sshd"), t(4, 1, "bash")];
        let f = Forest::build(&tasks, TreeOptions::default());
        let root = f.find(1).unwrap();
        assert_eq!(names(&f, root), ["bash", "sshd", "sshd", "{init}"]);
        let pids: Vec<i32> = f.nodes[root]
            .children
            .iter()
            .map(|&c| f.nodes[c].pid)
            .collect();
        assert_eq!(pids, [4, 3, 5, 9]);
        let f = Forest::build(
            &tasks,
            TreeOptions {
                thread_names: true,
                ..Default::default()
            },
        );
        assert_eq!(names(&f, f.find(1).unwrap())[3], "{worker}");
        let f = Forest::build(
            &tasks,
            TreeOptions {
                by_pid: true,
                hide_threads: true,
                ..Default::default()
            },
        );
        let pids: Vec<i32> = f.nodes[f.find(1).unwrap()]
            .children
            .iter()
            .map(|&c| f.nodes[c].pid)
            .collect();
        assert_eq!(pids, [3, 4, 5]);
    }

    #[test]
    fn unseen_parents_become_question_marks_under_the_root() {
        let tasks = vec![t(1, 0, "init"), t(50, 40, "lost")];
        let f = Forest::build(&tasks, TreeOptions::default());
        let root = f.find(1).unwrap();
        assert_eq!(names(&f, root), ["?"]);
        let q = f.nodes[root].children[0];
        assert_eq!(f.nodes[q].pid, 40);
        assert_eq!(names(&f, q), ["lost"]);
    }

    #[test]
    fn cycles_and_wrapped_pids_do_not_loop() {
        let tasks = vec![
            t(1, 0, "init"),
            t(7, 8, "a"),
            t(8, 7, "b"),
            t(3, 300, "child"),
            t(300, 1, "parent"),
        ];
        let f = Forest::build(&tasks, TreeOptions::default());
        let order = f.subtree(f.find(1).unwrap());
        let pids: Vec<i32> = order.iter().map(|&n| f.nodes[n].pid).collect();
        assert_eq!(pids, [1, 300, 3]);
        let a = f.find(7).unwrap();
        assert_eq!(f.subtree(a).len(), 2);
    }

    #[test]
    fn ancestry_trim_keeps_the_path() {
        let tasks = vec![
            t(1, 0, "init"),
            t(2, 1, "a"),
            t(3, 1, "b"),
            t(4, 3, "c"),
            t(5, 3, "d"),
        ];
        let mut f = Forest::build(&tasks, TreeOptions::default());
        let c = f.find(4).unwrap();
        f.keep_only_ancestry(c);
        let pids: Vec<i32> = f
            .subtree(f.find(1).unwrap())
            .iter()
            .map(|&n| f.nodes[n].pid)
            .collect();
        assert_eq!(pids, [1, 3, 4]);
    }
}
