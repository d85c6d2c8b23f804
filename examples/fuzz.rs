//! A mutation fuzzer for everything that reads untrusted input. It has two
//! parts; any panic in either is a failure.
//! - Bytes: the stat, status and cmdline parsers, ps and pstree escaping and
//!   the STAT decoder get mutated seeds and random bytes.
//! - Trees: whole /proc trees written with hostile numbers (every field at
//!   the edges of its type: 0, -1, the minimum and maximum, random values),
//!   read by the reader and put through every listing column, sort, the
//!   tree in its layouts, the zombie and orphan reports, show, explain and
//!   every JSON record. Run in a debug build, an arithmetic overflow panics,
//!   so 0 panics also means no unchecked arithmetic on raw values.
//!
//!   cargo run --example fuzz -- 10000000 [SEED] [TREES]

use std::panic;

use pscope::analysis::columns::RowContext;
use pscope::analysis::keywords::KEYWORDS;
use pscope::analysis::kinship::Kinship;
use pscope::analysis::psquery::SortSpec;
use pscope::analysis::select;
use pscope::analysis::tree::{Forest, TreeOptions};
use pscope::analysis::values::ValueFlags;
use pscope::analysis::{psfmt, state};
use pscope::model::cmdline_args;
use pscope::model::{ExtraFiles, Needs, StatusNeed, ThreadNeed};
use pscope::render::json::{line_string, Each};
use pscope::render::schema::{ProcessRecord, TreeSource};
use pscope::render::tree::{annotate, render, subtree_text, Annotations, Layout, ASCII};
use pscope::render::tree::{escape, pstree_args};
use pscope::render::{orphans, show, zombies, Style};
use pscope::source::parse::{parse_stat, parse_status};
use pscope::source::ProcReader;

const SEEDS: &[&[u8]] = &[
    b"812 (bash) Ss 800 812 812 34816 2001 4194560 100 0 0 0 5 3 0 0 20 0 1 0 4242 9000000 1200 18446744073709551615 1 1 0 0 0 0 65536 3670020 1266777851 1 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
    b"7 (a) (b\nc:\xff d) Z 1 1 1 0 -1 4 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n",
    b"Name:\tfoo: bar\nState:\tS (sleeping)\nUid:\t1000\t1001\t1001\t1001\nGid:\t100\t101\t101\t101\nVmSize:\t  9000 kB\nVmLck:\t 4 kB\nVmRSS:\t 1200 kB\n",
    b"bash\0-c\0sleep 100; :\0a\0b c\0\0d\0",
    b"Ssl+",
    b"R<Lsl+",
    "é\u{9b}\x1b[31m".as_bytes(),
];

const SPECIAL: &[u8] = b"() :\n\t\0\xff\xc2\x9b\x1b\\-0123456789+<NLslZSR%";

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(7) {
            0 if !input.is_empty() => {
                let i = rng.below(input.len());
                input[i] = rng.next() as u8;
            }
            1 => input.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
            2 if at < input.len() => {
                input.remove(at);
            }
            3 => input.truncate(at),
            4 => {
                let seed = SEEDS[rng.below(SEEDS.len())];
                let from = rng.below(seed.len());
                let to = from + rng.below(seed.len() - from + 1);
                input.splice(at..at, seed[from..to].iter().copied());
            }
            5 => {
                let len = rng.below(64);
                *input = (0..len).map(|_| rng.next() as u8).collect();
            }
            _ => {
                if let Some(i) = input.iter().position(|&b| b == b' ') {
                    input[i] = SPECIAL[rng.below(SPECIAL.len())];
                }
            }
        }
    }
}

/// Feeds one input to every parser.
fn exercise(input: &[u8]) {
    let _ = parse_stat(input, true);
    let _ = parse_status(input, true);
    let _ = cmdline_args(input);
    let _ = psfmt::escape(input, true);
    let _ = psfmt::escape(input, false);
    let _ = psfmt::args(Some(input), input, true, true);
    let _ = escape(input);
    let _ = pstree_args(input, Some(80));
    let _ = pstree_args(input, None);
    let _ = state::decode(&String::from_utf8_lossy(input));
}

pub fn fuzz(iterations: u64, seed: u64) -> (u64, u64) {
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut panics = 0;
    let mut input = Vec::new();
    for i in 0..iterations {
        if i % 64 == 0 {
            input = SEEDS[rng.below(SEEDS.len())].to_vec();
        }
        mutate(&mut rng, &mut input);
        if panic::catch_unwind(|| exercise(&input)).is_err() {
            panics += 1;
            if panics <= 5 {
                eprintln!("panic on input {:?}", String::from_utf8_lossy(&input));
            }
        }
    }
    let _ = panic::take_hook();
    (iterations, panics)
}

/// A signed number at the edges of a type's range, or a random one.
fn edge_i(rng: &mut Rng, min: i64, max: i64) -> i64 {
    match rng.below(8) {
        0 => min,
        1 => max,
        2 => 0,
        3 => -1,
        4 => 1,
        5 => (rng.next() as i64).clamp(min, max),
        _ => rng.below(40) as i64,
    }
}

fn edge_u(rng: &mut Rng, max: u64) -> u64 {
    match rng.below(6) {
        0 => max,
        1 => 0,
        2 => rng.next() % max.saturating_add(1).max(1),
        _ => rng.below(1000) as u64,
    }
}

/// Writes a /proc tree of hostile processes into `dir`.
fn write_tree(rng: &mut Rng, dir: &std::path::Path) {
    let write = |path: &str, bytes: &[u8]| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let uptime = ["1000.5", "0.00", "1e308", "nan", "-5", "inf"][rng.below(6)];
    write("uptime", format!("{uptime} 1.0\n").as_bytes());
    let btime = edge_i(rng, i64::MIN, i64::MAX);
    write("stat", format!("cpu 1 2 3 4\nbtime {btime}\n").as_bytes());
    let total = edge_u(rng, u64::MAX);
    write("meminfo", format!("MemTotal: {total} kB\n").as_bytes());
    let count = 1 + rng.below(12);
    let mut pids: Vec<i64> = (0..count)
        .map(|_| match rng.below(4) {
            0 => i64::from(i32::MAX),
            1 => 1,
            _ => 1 + rng.below(50) as i64,
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    for &pid in &pids {
        let mut pick = |min: i64, max: i64| -> i64 {
            if rng.below(3) == 0 {
                pids[rng.below(pids.len())]
            } else {
                edge_i(rng, min, max)
            }
        };
        let (i32min, i32max) = (i64::from(i32::MIN), i64::from(i32::MAX));
        let (ppid, pgrp, session, tty, tpgid) = (
            pick(i32min, i32max),
            pick(i32min, i32max),
            pick(i32min, i32max),
            pick(i32min, i32max),
            pick(i32min, i32max),
        );
        let state = "RSDTtZXIPWK?".chars().nth(rng.below(12)).unwrap_or('S');
        let flags = edge_u(rng, u64::from(u32::MAX));
        let (utime, stime) = (edge_u(rng, u64::MAX), edge_u(rng, u64::MAX));
        let priority = edge_i(rng, i64::MIN, i64::MAX);
        let nice = edge_i(rng, i64::MIN, i64::MAX);
        let threads = edge_i(rng, i64::MIN, i64::MAX);
        let start = edge_u(rng, u64::MAX);
        let vsize = edge_u(rng, u64::MAX);
        let rss = edge_i(rng, i64::MIN, i64::MAX);
        let rt = edge_u(rng, u64::from(u32::MAX));
        let policy = edge_u(rng, u64::from(u32::MAX));
        let processor = edge_i(rng, i32min, i32max);
        let mut name = b"p".to_vec();
        let extra = rng.below(4);
        for _ in 0..extra {
            name.push(SPECIAL[rng.below(SPECIAL.len())]);
        }
        name.retain(|&b| b != 0);
        let mut line = format!("{pid} (").into_bytes();
        line.extend_from_slice(&name);
        line.extend_from_slice(
            format!(
                ") {state} {ppid} {pgrp} {session} {tty} {tpgid} {flags} 0 0 0 0 {utime} {stime} 0 0 {priority} {nice} {threads} 0 {start} {vsize} {rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 {processor} {rt} {policy} 0 0 0 0 0 0 0 0 0 0\n"
            )
            .as_bytes(),
        );
        write(&format!("{pid}/stat"), &line);
        let uid = edge_u(rng, u64::from(u32::MAX));
        let (size, rss_kb, lck) = (
            edge_u(rng, u64::MAX),
            edge_u(rng, u64::MAX),
            edge_u(rng, u64::MAX),
        );
        write(
            &format!("{pid}/status"),
            format!("Name:\tp\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t0\t0\t0\t0\nVmSize:\t{size} kB\nVmLck:\t{lck} kB\nVmRSS:\t{rss_kb} kB\n").as_bytes(),
        );
        if rng.below(2) == 0 {
            write(&format!("{pid}/cmdline"), b"a\0\0b\xff\n\0");
        }
        write(&format!("{pid}/task/{pid}/stat"), &line);
        if rng.below(3) == 0 {
            let tid = pid.saturating_add(1000);
            write(&format!("{pid}/task/{tid}/stat"), &line);
        }
    }
}

/// Everything pscope does with a snapshot of the tree in `dir`.
fn exercise_tree(dir: &std::path::Path) {
    let Ok(reader) = ProcReader::open(dir) else {
        return;
    };
    let full = Needs {
        status: StatusNeed::All,
        cmdline: true,
        owner: true,
        threads: ThreadNeed::Own,
        extras: ExtraFiles(u16::MAX),
        more_stat: true,
        numa_nodes: true,
    };
    for (needs, jobs) in [(Needs::default(), 1), (full, 2)] {
        let Ok(snapshot) = reader.scan(needs, jobs) else {
            continue;
        };
        let kinship = Kinship::new(&snapshot.tasks);
        let style = Style::plain();
        for utf8 in [true, false] {
            let rows = RowContext {
                snapshot: &snapshot,
                utf8,
                flags: ValueFlags {
                    cumulative: utf8,
                    true_command: !utf8,
                    environment: utf8,
                    numeric: !utf8,
                    wide_signals: utf8,
                },
            };
            let mut listed = Vec::new();
            for task in &snapshot.tasks {
                for row in select::thread_rows(task) {
                    listed.push((row, kinship.kind(task)));
                }
            }
            for (task, kind) in &listed {
                for keyword in KEYWORDS {
                    let _ = keyword.field.text(task, *kind, &rows);
                    let _ = keyword.sort.value(task, *kind, &rows);
                }
                let _ = line_string(&ProcessRecord::new(task, *kind, &rows));
                let _ = state::explain_task(task);
            }
            let mut refs: Vec<_> = listed.iter().map(|(t, k)| (t, *k)).collect();
            for keyword in KEYWORDS {
                let keys = [SortSpec {
                    keyword,
                    descending: true,
                }];
                select::sort_rows(&mut refs, &keys, &rows);
            }
            let groups = kinship.zombie_groups(&snapshot.system);
            let exited: Vec<_> = kinship.exited_main_threads().collect();
            let _ = zombies::text(&groups, &exited, &rows, &style);
            let _ = line_string(&zombies::report(&groups, &exited, &rows));
            let found: Vec<orphans::Orphan> = snapshot
                .tasks
                .iter()
                .filter_map(|task| {
                    let evidence = kinship.orphan_evidence(task)?;
                    let adopter = kinship.get(evidence.adopter)?;
                    Some(orphans::Orphan {
                        task,
                        evidence,
                        adopter,
                    })
                })
                .collect();
            let orphaned = kinship.orphaned_groups();
            let _ = orphans::text(&found, &orphaned, &kinship, &rows, &style);
            let _ = line_string(&orphans::report(&found, &orphaned, &kinship, &rows));
            for task in &snapshot.tasks {
                let ancestry = kinship.ancestors(task);
                let children: Vec<_> = kinship.children(task.pid).collect();
                let verdict = kinship.verdict(task);
                let unreadable = || Err(std::io::Error::from(std::io::ErrorKind::NotFound));
                let facts = show::Facts {
                    task,
                    kind: verdict.kind,
                    exe: &unreadable(),
                    cwd: &Ok("/".into()),
                    ancestry: &ancestry,
                    children: &children,
                    threads: &task.threads,
                    verdict: &verdict,
                };
                let _ = show::text(&facts, &rows, &style);
                let _ = line_string(&show::record(&facts, &rows));
                let _ = subtree_text(&snapshot, task.pid, true);
            }
            for by_pid in [false, true] {
                let options = TreeOptions {
                    by_pid,
                    hide_threads: false,
                    thread_names: by_pid,
                };
                let forest = Forest::build(&snapshot.tasks, options);
                let roots: Vec<(usize, u32)> =
                    (0..forest.nodes.len().min(3)).map(|n| (n, 0)).collect();
                let what = Annotations {
                    stat: true,
                    marks: true,
                    color: by_pid,
                    highlight: forest.nodes.len().checked_sub(1),
                    pgids: true,
                    users: true,
                    args: by_pid,
                    ..Annotations::default()
                };
                let texts = annotate(&forest, &snapshot, &kinship, &rows, &what);
                for width in [Some(1), Some(80), None] {
                    let layout = Layout {
                        symbols: ASCII,
                        pids: by_pid,
                        pgids: true,
                        args: by_pid,
                        uid_changes: true,
                        compact: !by_pid,
                        width,
                    };
                    let _ = render(&forest, &roots, &texts, layout);
                }
                let source = TreeSource::new(&forest, &snapshot.tasks, &kinship, &rows);
                let _ = line_string(&Each::new(roots.iter().map(|&(n, _)| source.nested(n))));
                for &(root, _) in &roots {
                    for line in source.lines(root) {
                        let _ = line_string(&line);
                    }
                }
            }
        }
    }
}

/// Writes one hostile tree into `dir` (for looking at one by hand).
pub fn write_one(seed: u64, dir: &std::path::Path) {
    write_tree(&mut Rng(seed | 1), dir);
}

/// Writes `trees` hostile /proc trees and puts each through everything.
pub fn fuzz_trees(trees: u64, seed: u64) -> (u64, u64) {
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut panics = 0;
    for _ in 0..trees {
        let dir = tempfile::tempdir().unwrap();
        write_tree(&mut rng, dir.path());
        if panic::catch_unwind(|| exercise_tree(dir.path())).is_err() {
            panics += 1;
            if panics <= 3 {
                let kept = dir.keep();
                eprintln!("panic on the tree kept in {}", kept.display());
            }
        }
    }
    let _ = panic::take_hook();
    (trees, panics)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let iterations: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0x5eed);
    let trees: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    if let Some(dir) = args.next() {
        write_one(seed, std::path::Path::new(&dir));
        return;
    }
    let start = std::time::Instant::now();
    let (runs, panics) = fuzz(iterations, seed);
    println!(
        "fuzz: {runs} executions, {panics} panics, {:.1} s (seed {seed})",
        start.elapsed().as_secs_f64()
    );
    let start = std::time::Instant::now();
    let (tree_runs, tree_panics) = fuzz_trees(trees, seed);
    println!(
        "fuzz: {tree_runs} hostile /proc trees, {tree_panics} panics, {:.1} s (seed {seed})",
        start.elapsed().as_secs_f64()
    );
    if panics + tree_panics > 0 {
        std::process::exit(1);
    }
}
