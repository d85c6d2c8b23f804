//! The Python programs `pscope demo TOPIC --code` prints: each shows what
//! its demo shows, with the os, select and signal modules, short enough
//! for students to read, run and change. They live in `python/`.

/// The program for a demo topic.
pub fn python(topic: &str) -> Option<&'static str> {
    Some(match topic {
        "fork" => include_str!("python/fork.py"),
        "states" => include_str!("python/states.py"),
        "orphan" => include_str!("python/orphan.py"),
        "zombie" => include_str!("python/zombie.py"),
        "nice" => include_str!("python/nice.py"),
        "io" => include_str!("python/io.py"),
        "jobs" => include_str!("python/jobs.py"),
        "exec" => include_str!("python/exec.py"),
        "exit" => include_str!("python/exit.py"),
        _ => return None,
    })
}
