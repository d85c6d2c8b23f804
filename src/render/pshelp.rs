//! What ps syntax prints instead of processes: `L` (every keyword), the
//! version, `--info`, and `--help [section]`, in pscope's own words.

use crate::analysis::keywords::KEYWORDS;

/// `ps L`: every keyword ps lists and its header, as ps lays them out.
pub fn keyword_list() -> String {
    KEYWORDS
        .iter()
        .filter(|k| k.listed)
        .map(|k| format!("{:<12.12} {:<8.8}\n", k.name, k.header))
        .collect()
}

/// `V`, `-V`, `--version`.
pub fn version() -> String {
    format!(
        "pscope {}, with the syntax and output of ps from procps-ng 4.0.2\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// `--info`: what pscope found about its surroundings.
pub fn info(euid: u32, tty: i32, screen: usize) -> String {
    format!(
        "pscope {}\nEUID={euid} TTY={},{} screen_cols={screen}\n",
        env!("CARGO_PKG_VERSION"),
        (tty >> 8) & 0xfff,
        (tty & 0xff) | ((tty >> 12) & 0xfff00),
    )
}

const USAGE: &str = "\
Usage:
 pscope [ps options]          (or pscope ps [ps options], or a link named ps)

 Try 'pscope ps --help <simple|list|output|threads|misc|all>'
  or 'pscope ps --help <s|l|o|t|m|a>'
 for more, and 'pscope --help' for pscope's own commands.
";

const SIMPLE: &str = "\
Which processes:
 -A, -e               every process
 -a                   every process with a terminal, except session leaders
  a                   every process with a terminal (BSD), with x: every process
 -d                   every process except session leaders
 -N, --deselect       every process the rest does not select
  T                   the processes of this terminal
  r                   only running ones (R and D)
  x                   processes without a terminal too (BSD)
";

const LIST: &str = "\
Selection by list (a process matching any is shown):
 -C <command>         command name
 -G, --Group <GID>    real group id or name
 -g, --group <group>  session, or effective group name
 -p, p, --pid <PID>   process id
     --ppid <PID>     parent process id
 -q, q, --quick-pid <PID>  these processes only, in this order
 -s, --sid <session>  session id
 -t, t, --tty <tty>   terminal
 -u, U, --user <UID>  effective user id or name
 -U, --User <UID>     real user id or name
";

const OUTPUT: &str = "\
Output formats:
 -F                   extra full
 -f                   full (command lines, UID, PPID, C, STIME)
 -j, j                jobs: process group and session
 -l, l                long
 -o, o, --format <keywords>   your own columns: -o pid,ppid,stat,comm (key=HEADER renames, key:N sets the width)
 -O, O <keywords>     pid, your columns, then state, tty, time, command
 -y                   with -l: RSS in place of ADDR, no flags
 -M, Z                security label
 -c                   scheduling class with -l
  s                   signal format
  u                   user-oriented format
  v                   virtual memory format
  X                   register format
 --context            security data
 --headers            repeat the header on every page
 --no-headers, h      no header
 --cols, --columns, --width <N>  line width
 --rows, --lines <N>  page height for --headers
 --sort, k <[+|-]key,...>  sort: --sort=-pcpu,pid
 --cumulative, S      count dead children in
 --forest, f, -H      the hierarchy
 -w, w                wider lines (twice: unlimited)
  c                   command names, not command lines
  e                   the environment after the command
  n                   numbers for users and WCHAN
 L                    every keyword
";

const THREADS: &str = "\
Threads:
  H                   threads as if they were processes
 -L                   one row per thread, with LWP (and NLWP)
 -m, m                threads after their process
 -T                   one row per thread, with SPID
";

const MISC: &str = "\
Also:
 -V, V, --version     version
 --help <section>     this help
 --info               what pscope found about its surroundings

pscope adds --json, --format json|jsonl, --color, --proc-root, --jobs,
--state LETTERS and --name REGEX to ps's syntax.
";

/// `--help [section]`: the usage alone, or the parts asked for.
pub fn help(section: &str) -> String {
    let sections: &[&str] = match section {
        "simple" | "s" => &[SIMPLE],
        "list" | "l" => &[LIST],
        "output" | "o" => &[OUTPUT],
        "threads" | "t" => &[THREADS],
        "misc" | "m" => &[MISC],
        "all" | "a" => &[SIMPLE, LIST, OUTPUT, THREADS, MISC],
        _ => return USAGE.to_string(),
    };
    let mut out = String::from("Usage:\n pscope [ps options]\n\n");
    for part in sections {
        out.push_str(part);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyword_list_is_laid_out_as_ps_lists_it() {
        let list = keyword_list();
        assert_eq!(list.lines().count(), 190);
        assert!(list.starts_with("%cpu         %CPU    \n"));
        assert!(list.contains("\n_right       RRRRRRRR\n"));
    }

    #[test]
    fn every_section_has_help() {
        for s in ["simple", "l", "output", "t", "misc", "all"] {
            assert!(help(s).len() > USAGE.len() / 2, "{s}");
        }
        assert_eq!(help("nonsense"), USAGE);
    }
}
