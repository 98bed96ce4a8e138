//! A real SMTP server for the tests: `scripts/smtp-server.py` (aiosmtpd, the Debian package
//! `python3-aiosmtpd` or the PyPI one), on 127.0.0.1, storing what it accepts in a Maildir.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A server that lives as long as this value.
pub(crate) struct SmtpServer {
    child: Child,
    /// Its port on 127.0.0.1.
    pub(crate) port: u16,
    /// Its Maildir.
    maildir: PathBuf,
    /// With TLS: the authority its certificate is signed by.
    pub(crate) ca: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

/// A Python that has aiosmtpd: `CRM_TEST_SMTP_PYTHON`, the system's, or the one on the path.
fn python() -> Option<String> {
    let candidates = std::env::var("CRM_TEST_SMTP_PYTHON")
        .into_iter()
        .chain(["/usr/bin/python3".to_owned(), "python3".to_owned()]);
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

impl SmtpServer {
    /// Starts a server (with STARTTLS required when `tls`); `None`, said on stderr, when no
    /// Python has aiosmtpd, unless CI is set: then the test fails.
    pub(crate) fn start(tls: bool) -> Option<Self> {
        let Some(python) = python() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set and no python has aiosmtpd (apt-get install python3-aiosmtpd)"
            );
            eprintln!("no python with aiosmtpd: the SMTP test is SKIPPED");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/smtp-server.py");
        let mut command = Command::new(python);
        command.arg(&script).arg(&maildir);
        let ca = tls.then(|| {
            let certs = dir.path().join("tls");
            std::fs::create_dir(&certs).unwrap();
            command.arg("--tls").arg(&certs);
            certs.join("ca.pem")
        });
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Its log (a refused handshake prints a traceback) is not the test's output.
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        Some(Self {
            child,
            port,
            maildir,
            ca,
            _dir: dir,
        })
    }

    /// The messages received so far, as their raw text.
    pub(crate) fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut out: Vec<String> = entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        out.sort();
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Closing its stdin stops it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
