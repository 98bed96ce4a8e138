//! TLS to PostgreSQL with rustls (feature `postgres-tls`), used when the connection string
//! says `sslmode=require`: the server's certificate is checked against the system's certificate
//! authorities and those a host names (a private CA), and its name against the connection
//! string's `host`. There is no unverified TLS.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};

/// The connector every connection of a store uses: the system's authorities, and those of the
/// PEM file `ca_file` (Validation on `ca_file` if it holds none or a malformed one; Io if it
/// cannot be read).
pub(super) fn connector(ca_file: Option<&Path>) -> Result<MakeRustlsConnect> {
    let mut roots = RootCertStore::empty();
    // Unreadable system certificates are skipped: a private CA may be all there is.
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if let Some(path) = ca_file {
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| pem_error(path, e))? {
            let cert = cert.map_err(|e| pem_error(path, e))?;
            roots.add(cert).map_err(|e| {
                Error::validation("ca_file", format!("not a usable certificate: {e}"))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::validation("ca_file", "holds no PEM certificate"));
        }
    }
    // The provider named rather than the process default, which a host linking another
    // provider would make ambiguous (a panic in rustls).
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // What PostgreSQL 17 asks of a direct TLS connection (`sslnegotiation=direct`); servers
    // negotiating as before ignore it.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(MakeRustlsConnect::new(config))
}

/// A CA file that could not be read (Io) or is not PEM (Validation).
fn pem_error(path: &Path, err: rustls::pki_types::pem::Error) -> Error {
    match err {
        rustls::pki_types::pem::Error::Io(e) => Error::Io {
            message: format!("cannot read the CA file {}", path.display()),
            source: e,
        },
        other => Error::validation("ca_file", format!("not a PEM file: {other:?}")),
    }
}
