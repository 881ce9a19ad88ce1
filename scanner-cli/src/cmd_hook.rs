//! `launchguard hook install`: writes the native pre-commit hook that runs
//! `launchguard scan --staged`, under `core.hooksPath` when set. It replaces only a
//! hook it wrote itself, unless `--force`.

use crate::cli::{HookAction, HookArgs};
use anyhow::{Context, Result};
use scanner_core::inputs::git;
use std::path::{Path, PathBuf};

/// The hook script (also shipped as `hooks/pre-commit`).
pub(crate) const HOOK_SCRIPT: &str = include_str!("../../hooks/pre-commit");
/// First-lines marker that identifies a hook launchguard wrote.
pub(crate) const HOOK_MARKER: &str = "# launchguard-hook v";

/// The script with the installing binary baked in as a fallback when `launchguard`
/// is not on `PATH`.
fn script(exe: Option<&Path>) -> String {
    let exe = exe
        .map(|p| p.display().to_string())
        .filter(|p| !p.contains(['"', '$', '`', '\\', '\n']))
        .unwrap_or_default();
    HOOK_SCRIPT.replacen(
        "LAUNCHGUARD_INSTALLED=\"\"",
        &format!("LAUNCHGUARD_INSTALLED=\"{exe}\""),
        1,
    )
}

fn install(repo: &Path, force: bool) -> Result<i32> {
    let dir = git::hooks_dir(repo)?;
    let path = dir.join("pre-commit");
    let exe = std::env::current_exe().ok();
    let text = script(exe.as_deref());
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing == text => {
            println!(
                "launchguard: pre-commit hook already installed at {}",
                path.display()
            );
            return Ok(0);
        }
        Ok(existing) if !existing.contains(HOOK_MARKER) && !force => {
            eprintln!(
                "launchguard: error: {} exists and was not written by launchguard; not replacing it.\n  \
                 Add `launchguard scan --staged` to it yourself, or run `launchguard hook install --force` to replace it.",
                path.display()
            );
            return Ok(crate::EXIT_ERROR);
        }
        Ok(_) | Err(_) => {}
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_executable(&path, &text)?;
    println!(
        "launchguard: installed pre-commit hook at {}",
        path.display()
    );
    Ok(0)
}

fn write_executable(path: &PathBuf, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut perm = std::fs::metadata(path)?.permissions();
        perm.set_mode(0o755);
        std::fs::set_permissions(path, perm)
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    Ok(())
}

pub(crate) fn run(args: &HookArgs) -> Result<i32> {
    match &args.action {
        HookAction::Install { repo, force } => {
            install(repo.as_deref().unwrap_or(Path::new(".")), *force)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_bakes_the_binary_and_keeps_the_marker() {
        let s = script(Some(Path::new("/opt/lg/launchguard")));
        assert!(s.contains("LAUNCHGUARD_INSTALLED=\"/opt/lg/launchguard\""));
        assert!(s.contains(HOOK_MARKER));
        assert!(s.contains("scan --staged"));
        // Unsafe characters are never baked into the shell script.
        assert!(script(Some(Path::new("/x/$(rm)"))).contains("LAUNCHGUARD_INSTALLED=\"\""));
    }
}
