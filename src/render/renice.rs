//! renice's report: one line per target, old and new nice value.

use super::schema::ReniceResult;
use crate::analysis::{psfmt, sched};
use crate::control::renice::{Outcome, Which};

pub fn record(o: &Outcome) -> ReniceResult {
    ReniceResult {
        target: o.target.name(),
        id: o.id,
        process: o.process,
        name: o
            .name
            .as_ref()
            .map(|n| String::from_utf8_lossy(n).into_owned()),
        old_nice: o.old_nice,
        new_nice: o.new_nice,
        error: o.error.clone(),
    }
}

/// The line for one target; names are escaped as ps escapes them.
pub fn line(o: &Outcome, utf8: bool) -> String {
    let who = match (o.target, o.process) {
        (Which::Process, Some(p)) => format!("{p}/{}", o.id),
        (Which::Process, None) => o.id.to_string(),
        (Which::Pgrp, _) => format!("process group {}", o.id),
        (Which::User, _) => format!("user {}", o.id),
    };
    let name = o
        .name
        .as_deref()
        .map(|n| format!(" ({})", psfmt::comm(n, utf8)))
        .unwrap_or_default();
    match (&o.error, o.old_nice, o.new_nice) {
        (Some(e), _, _) => format!("{who}{name}: {e}"),
        (None, Some(old), Some(new)) => {
            // What the two other scales will show: top's PR, ps's PRI.
            let (old_pr, old_pri) = sched::scales_for_nice(old);
            let (new_pr, new_pri) = sched::scales_for_nice(new);
            format!(
                "{who}{name}: old nice {old}, new nice {new} \
                 (PR in top {old_pr} -> {new_pr}, PRI in pscope {old_pri} -> {new_pri})"
            )
        }
        _ => format!("{who}{name}: changed"),
    }
}
