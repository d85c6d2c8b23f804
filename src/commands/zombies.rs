//! `pscope zombies`.
use super::Context;
use crate::cli::ZombiesArgs;

pub fn run(_args: &ZombiesArgs, _cx: &Context) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
