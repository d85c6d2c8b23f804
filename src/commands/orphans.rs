//! `pscope orphans`.
use super::Context;
use crate::cli::OrphansArgs;

pub fn run(_args: &OrphansArgs, _cx: &Context) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
