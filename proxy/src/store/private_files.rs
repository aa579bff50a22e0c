//! The data directory holds access tokens: it is created readable by its owner only (0700, the
//! database 0600), and a database any local user can read is refused rather than used.

use std::path::Path;

use crate::error::ProxyError;

/// Creates `dir` (and missing parents) as 0700. An existing directory is left as the owner set it.
pub fn create_dir(dir: &Path) -> Result<(), ProxyError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| ProxyError::DataDir {
        path: dir.display().to_string(),
        source,
    })
}

/// Creates the database file as 0600 if it does not exist yet; refuses an existing one that every
/// user of the machine can read.
pub fn prepare_db(path: &Path) -> Result<(), ProxyError> {
    let io = |source| ProxyError::DataDir {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o004 != 0 {
            return Err(ProxyError::Invalid(format!(
                "refusing to use {path}: it holds access tokens and every user of this machine can \
                 read it (mode {mode:o}); run `chmod 600 {path}` and start again",
                path = path.display()
            )));
        }
    }
    Ok(())
}
