//! `pscope explain`.
use super::Context;
use crate::cli::ExplainArgs;

pub fn run(_args: &ExplainArgs, _cx: &Context) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
