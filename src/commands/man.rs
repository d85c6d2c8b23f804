//! Writes the man pages (filled in with the documentation work).
use std::path::Path;

pub fn write_pages(_dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!("man page generation is not built yet")
}
