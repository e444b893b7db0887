//! Key files on disk: private keys as PKCS#8 PEM with mode 0600 (optionally
//! encrypted under a passphrase: PBES2 with scrypt and AES-256-CBC, which
//! OpenSSL reads), public keys as SPKI PEM beside them. Key material and
//! passphrases are zeroized after use and never printed.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use accord_core::crypto::{self, PublicKey};
use anyhow::{bail, Context, Result};
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, KeypairBytes};
use ed25519_dalek::SigningKey;
use pkcs8::EncodePrivateKey;
use zeroize::Zeroizing;

pub fn pub_path(private: &Path) -> PathBuf {
    let mut s = private.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Generates a key from the OS's CSPRNG and writes it (encrypted under a
/// passphrase if `encrypt`) and its public half. Refuses to overwrite
/// either file.
pub fn generate(out: &Path, encrypt: bool) -> Result<PublicKey> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).context("the operating system's random source failed")?;
    let key = SigningKey::from_bytes(&seed);
    if encrypt {
        let passphrase = new_passphrase(out)?;
        let kp = KeypairBytes {
            secret_key: key.to_bytes(),
            public_key: None,
        };
        let pem = kp
            .to_pkcs8_encrypted_pem(passphrase.as_bytes(), LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("cannot encrypt the key: {e}"))?;
        write_new(out, pem.as_bytes(), 0o600)?;
    } else {
        write_private(out, &key)?;
    }
    let public = crypto::public_key(&key);
    let pub_file = pub_path(out);
    write_new(&pub_file, public.to_pem()?.as_bytes(), 0o644).inspect_err(|_| {
        let _ = std::fs::remove_file(out);
    })?;
    Ok(public)
}

pub fn write_private(out: &Path, key: &SigningKey) -> Result<()> {
    let pem = crypto::private_key_to_pem(key)?;
    write_new(out, pem.as_bytes(), 0o600)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists: refusing to overwrite a key",
                    path.display()
                )
            }
            _ => anyhow::anyhow!("cannot create {}: {e}", path.display()),
        })?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn read_text(path: &Path) -> Result<Zeroizing<String>> {
    if path.is_dir() {
        bail!("{} is a directory, not a key file", path.display());
    }
    let bytes = Zeroizing::new(
        std::fs::read(path).with_context(|| format!("cannot read key file {}", path.display()))?,
    );
    match std::str::from_utf8(&bytes) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        Err(_) => bail!("{} is not a PEM key file (not text)", path.display()),
    }
}

/// Loads a private key, refusing files that group or others can read.
pub fn load_private(path: &Path) -> Result<SigningKey> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        bail!(
            "private key {} is readable by others (mode {mode:o}): run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    let text = read_text(path)?;
    if text.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        let passphrase = passphrase(&format!("Passphrase for {}: ", path.display()))?;
        return SigningKey::from_pkcs8_encrypted_pem(text.trim(), passphrase.as_bytes()).map_err(
            |_| {
                anyhow::anyhow!(
                    "cannot decrypt {}: wrong passphrase, or the file is damaged",
                    path.display()
                )
            },
        );
    }
    crypto::private_key_from_pem(&text).with_context(|| format!("{}", path.display()))
}

/// The passphrase from `ACCORD_PASSPHRASE`, or asked for on the terminal.
fn passphrase(prompt: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("ACCORD_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| {
            anyhow::anyhow!(
                "this key is encrypted: set ACCORD_PASSPHRASE or run in a terminal to be asked"
            )
        })
}

/// A new passphrase: from `ACCORD_PASSPHRASE`, or asked for twice.
fn new_passphrase(out: &Path) -> Result<Zeroizing<String>> {
    let first = passphrase(&format!("New passphrase for {}: ", out.display()))?;
    if std::env::var("ACCORD_PASSPHRASE").is_err() {
        let again = passphrase("Repeat it: ")?;
        if *again != *first {
            bail!("the passphrases differ: nothing was written");
        }
    }
    if first.chars().count() < 8 {
        bail!("the passphrase is shorter than 8 characters: nothing was written");
    }
    Ok(first)
}

/// Loads a public key from a public (SPKI) or private (PKCS#8) PEM file.
pub fn load_public(path: &Path) -> Result<PublicKey> {
    let text = read_text(path)?;
    if text.contains("PRIVATE KEY") {
        return Ok(crypto::public_key(&load_private(path)?));
    }
    PublicKey::from_pem(&text).with_context(|| format!("{}", path.display()))
}
