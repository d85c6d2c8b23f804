//! Which syntax a command line is in: pscope's own (a subcommand, or only
//! pscope's options) or ps's. A link named `ps` is always ps; one named
//! `pstree` is `pscope tree`.

use std::ffi::{OsStr, OsString};

/// Where a command line goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// pscope's own syntax, for clap (the program name first).
    Pscope(Vec<OsString>),
    /// ps's syntax: the arguments after the program name (and after `ps`).
    Ps(Vec<OsString>),
}

/// pscope's subcommands (and the forms of help and version clap answers).
const SUBCOMMANDS: &[&str] = &[
    "tree",
    "show",
    "explain",
    "zombies",
    "orphans",
    "renice",
    "top",
    "demo",
    "why",
    "files",
    "completions",
    "generate-man",
    "--help",
    "--version",
];

/// pscope's options that take a value, as they may come before a
/// subcommand or alone (the default listing).
const WITH_VALUE: &[&str] = &[
    "--proc-root",
    "--color",
    "--jobs",
    "--state",
    "--name",
    "--width",
];

/// The values of `--format` that are pscope's output formats (any other
/// is ps's format list).
pub const OUTPUT_FORMATS: &[&str] = &["table", "json", "jsonl", "csv"];

/// How many arguments at `args[i..]` are one of pscope's own options.
fn own_option(args: &[OsString], i: usize) -> usize {
    let Some(arg) = args[i].to_str() else {
        return 0;
    };
    let next = || args.get(i + 1).and_then(|a| a.to_str());
    if arg == "--json" {
        return 1;
    }
    if let Some((name, value)) = arg.split_once('=') {
        let known =
            WITH_VALUE.contains(&name) || (name == "--format" && OUTPUT_FORMATS.contains(&value));
        return usize::from(known);
    }
    if WITH_VALUE.contains(&arg) && next().is_some() {
        return 2;
    }
    if arg == "--format" && next().is_some_and(|v| OUTPUT_FORMATS.contains(&v)) {
        return 2;
    }
    0
}

/// Decides the syntax of `argv` (program name first).
pub fn route(argv: Vec<OsString>) -> Route {
    let name = argv
        .first()
        .map(|a| {
            std::path::Path::new(a)
                .file_name()
                .unwrap_or(OsStr::new(""))
                .to_os_string()
        })
        .unwrap_or_default();
    let args: Vec<OsString> = argv.iter().skip(1).cloned().collect();
    if name == "ps" {
        return Route::Ps(args);
    }
    if name == "pstree" {
        let mut tree = vec![OsString::from("pscope"), OsString::from("tree")];
        tree.extend(args);
        return Route::Pscope(tree);
    }
    let mut i = 0;
    while i < args.len() {
        match own_option(&args, i) {
            0 => break,
            n => i += n,
        }
    }
    let pscope = || {
        let mut all = vec![OsString::from("pscope")];
        all.extend(args.iter().cloned());
        Route::Pscope(all)
    };
    let Some(first) = args.get(i) else {
        // Nothing but pscope's own options: its own listing.
        return pscope();
    };
    if first == "ps" {
        let mut rest = args.clone();
        rest.remove(i);
        return Route::Ps(rest);
    }
    if first.to_str().is_some_and(|f| SUBCOMMANDS.contains(&f)) {
        return pscope();
    }
    Route::Ps(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    fn is_ps(words: &[&str]) -> bool {
        matches!(route(argv(words)), Route::Ps(_))
    }

    #[test]
    fn every_subcommand_is_routed_to_pscope() {
        use clap::CommandFactory;
        let command = crate::cli::Cli::command();
        let mut names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
        names.push("help");
        // `pscope ps ARGS` is ps's syntax on purpose.
        names.retain(|n| *n != "ps");
        for name in names {
            assert!(
                SUBCOMMANDS.contains(&name) || name == "help",
                "{name} is missing from SUBCOMMANDS"
            );
            assert!(!is_ps(&["pscope", name]) || name == "help", "{name}");
        }
    }

    #[test]
    fn ps_arguments_make_it_ps() {
        assert!(is_ps(&["pscope", "aux"]));
        assert!(is_ps(&["pscope", "-ef"]));
        assert!(is_ps(&["pscope", "-o", "pid,cls"]));
        assert!(is_ps(&["pscope", "--json", "-e"]));
        assert!(is_ps(&["pscope", "--format", "pid,comm"]));
        assert_eq!(
            route(argv(&["pscope", "--json", "ps", "-e"])),
            Route::Ps(argv(&["--json", "-e"]))
        );
        assert_eq!(
            route(argv(&["/usr/local/bin/ps", "aux"])),
            Route::Ps(argv(&["aux"]))
        );
    }

    #[test]
    fn subcommands_and_own_options_stay_pscopes() {
        for words in [
            &["pscope"][..],
            &["pscope", "--json"],
            &["pscope", "--format", "jsonl"],
            &["pscope", "--state", "Z", "--width", "60"],
            &["pscope", "tree", "-p"],
            &["pscope", "--proc-root", "/x", "tree"],
            &["pscope", "--help"],
        ] {
            assert!(!is_ps(words), "{words:?}");
        }
        assert_eq!(
            route(argv(&["pstree", "-p"])),
            Route::Pscope(argv(&["pscope", "tree", "-p"]))
        );
    }
}
