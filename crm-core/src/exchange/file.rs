//! Writing a file so that a reader never sees it half-written: beside it, then renamed onto it.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

crate::model::string_enum::string_enum!(
    /// The file format of an export ([`Tenant::export_file`](crate::Tenant::export_file)).
    ExportFormat, "format" {
        /// CSV, UTF-8 ([`ExportOptions::bom`](crate::ExportOptions::bom) adds the byte order
        /// mark Excel wants).
        Csv = "csv",
        /// An Excel workbook of one sheet.
        Xlsx = "xlsx",
        /// A PDF list to print: A4 landscape pages, the header on each, at most
        /// [`MAX_PDF_ROWS`](crate::MAX_PDF_ROWS) customers.
        Pdf = "pdf",
    }
);

/// The file `write` fills is `<path>.partial`; it is synced and renamed onto `path` when `write`
/// returns `Ok(Some(_))`, and removed when `write` fails or returns `Ok(None)` (stopped):
/// `path` is either what it was or the whole new file, never part of it.
///
/// # Errors
/// Io (not quoting the path, which may name a person) when the file cannot be made, synced or
/// renamed; else what `write` returns.
pub fn replace_file<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<Option<T>>,
) -> Result<Option<T>> {
    let io = |e: std::io::Error| Error::Io {
        message: "cannot write the file".into(),
        source: e,
    };
    let mut partial: PathBuf = path.as_os_str().to_owned().into();
    partial.as_mut_os_string().push(".partial");
    let mut file = File::create(&partial).map_err(io)?;
    let done = write(&mut file).and_then(|out| {
        if out.is_some() {
            file.sync_all().map_err(io)?;
        }
        Ok(out)
    });
    drop(file);
    match done {
        Ok(Some(out)) => match std::fs::rename(&partial, path) {
            Ok(()) => Ok(Some(out)),
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(io(e))
            }
        },
        other => {
            let _ = std::fs::remove_file(&partial);
            other
        }
    }
}

/// The bytes of the regular file `path` if it holds at most `max` of them; `None` for a file
/// that is not regular or is larger.
pub(crate) fn read_bounded(
    path: &std::path::Path,
    max: u64,
) -> std::result::Result<Vec<u8>, Option<std::io::Error>> {
    use std::io::Read;
    // Checked before opening: opening a named pipe would wait for a writer.
    if !std::fs::metadata(path).map_err(Some)?.is_file() {
        return Err(None);
    }
    let file = std::fs::File::open(path).map_err(Some)?;
    let mut data = Vec::new();
    file.take(max + 1).read_to_end(&mut data).map_err(Some)?;
    if data.len() as u64 > max {
        return Err(None);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_is_replaced_whole_or_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let partial = dir.path().join("out.csv.partial");
        // Failed: the old file stays, nothing beside it.
        let failed = replace_file::<()>(&path, |f| {
            f.write_all(b"half").unwrap();
            Err(Error::validation("columns", "is empty"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert!(!partial.exists());
        // Stopped: the same.
        let stopped = replace_file::<()>(&path, |f| {
            f.write_all(b"half").unwrap();
            Ok(None)
        });
        assert_eq!(stopped.unwrap(), None);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert!(!partial.exists());
        // Done: the new file, whole.
        let done = replace_file(&path, |f| {
            f.write_all(b"new").unwrap();
            Ok(Some(3))
        });
        assert_eq!(done.unwrap(), Some(3));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert!(!partial.exists());
        // A folder that does not exist: Io, not a panic.
        let nowhere = dir.path().join("missing").join("out.csv");
        assert!(matches!(
            replace_file(&nowhere, |_| Ok(Some(()))),
            Err(Error::Io { .. })
        ));
    }
}
