//! `pscope show`.
use super::Context;
use crate::cli::ShowArgs;

pub fn run(_args: &ShowArgs, _cx: &Context) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
