//! Project tasks. `cargo run -p xtask -- header` writes `include/crm.h` from `crm-ffi` with the
//! cbindgen pinned in Cargo.lock; `-- header --check` fails when the committed header differs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The header as cbindgen generates it now.
fn generate(root: &Path) -> Result<Vec<u8>, String> {
    let crate_dir = root.join("crm-ffi");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .map_err(|e| format!("cbindgen.toml: {e}"))?;
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .map_err(|e| format!("cbindgen: {e}"))?;
    let mut text = Vec::new();
    bindings.write(&mut text);
    Ok(text)
}

fn header(check: bool) -> Result<(), String> {
    let root = root();
    let path = root.join("include").join("crm.h");
    let fresh = generate(&root)?;
    if check {
        let committed = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if committed != fresh {
            return Err(format!(
                "{} is stale: run `make header` and commit it",
                path.display()
            ));
        }
        return Ok(());
    }
    std::fs::write(&path, fresh).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["header"] => header(false),
        ["header", "--check"] => header(true),
        _ => Err("usage: xtask header [--check]".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
