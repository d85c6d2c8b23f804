//! `pscope tree`.
use super::Context;
use crate::cli::TreeArgs;

pub fn run(_args: &TreeArgs, _cx: &Context) -> anyhow::Result<i32> {
    anyhow::bail!("not built yet")
}
