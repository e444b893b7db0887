//! Key files on disk: private keys as PKCS#8 PEM with mode 0600 (optionally
//! encrypted under a passphrase: PBES2 with scrypt and AES-256-CBC, which
//! OpenSSL reads), public keys as SPKI PEM beside them. Key material and
//! passphrases are zeroized after use and never printed.
//!
//! An encrypted file carries its own key-derivation parameters, so files
//! written with older parameters still open. Those parameters are input: a
//! file asking for more memory or work than [`MAX_SCRYPT_MEMORY`] and
//! [`MAX_SCRYPT_WORK`] (or [`MAX_PBKDF2_ITERATIONS`]) is refused before any
//! derivation runs, so a hostile key file cannot make us allocate GiBs.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use accord_core::crypto::{self, PublicKey};
use anyhow::{bail, Context, Result};
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, DecodePrivateKey, KeypairBytes};
use ed25519_dalek::SigningKey;
use pkcs8::pkcs5::pbes2::{self, Kdf};
use pkcs8::pkcs5::{scrypt, EncryptionScheme};
use pkcs8::{EncodePrivateKey, EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef, SecretDocument};
use zeroize::Zeroizing;

/// scrypt parameters of newly encrypted keys (docs/SECURITY.md, "Keys"):
/// N = 2^14 and r = 8 use 16 MiB, the most OpenSSL 3 lets a PEM file ask
/// for (32 MiB, and N = 2^15 needs a little more), and p = 8 makes the
/// work N·r·p = 2^20, that of OWASP's first choice (N = 2^17, r = 8, p = 1).
pub const SCRYPT_LOG_N: u8 = 14;
pub const SCRYPT_R: u32 = 8;
pub const SCRYPT_P: u32 = 8;
/// Most memory (128·r·N bytes) a key file may make scrypt use: 256 MiB,
/// enough for N = 2^18, r = 8 (age's passphrase setting).
pub const MAX_SCRYPT_MEMORY: u128 = 256 << 20;
/// Most work (N·r·p) a key file may ask of scrypt: 4 times ours.
pub const MAX_SCRYPT_WORK: u128 = 1 << 22;
/// Most PBKDF2 iterations a key file may ask for (OpenSSL's default is
/// 2,048; OWASP asks for 600,000 with HMAC-SHA-256).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

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
        let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
            .map_err(|e| anyhow::anyhow!("cannot encrypt the key: {e}"))?;
        let pem = encrypt_pem(&key, passphrase.as_bytes(), params)?;
        write_new(out, pem.as_bytes(), 0o600)?;
    } else {
        write_private(out, &key)?;
    }
    let public = crypto::public_key(&key);
    let pub_file = pub_path(out);
    write_new(&pub_file, public.to_pem()?.as_bytes(), 0o644).inspect_err(|_| {
        let _ = std::fs::remove_file(out);
    })?;
    crate::durable::sync_parent(out)?;
    Ok(public)
}

/// `key` as an encrypted PKCS#8 PEM: PBES2, scrypt with `params` and a
/// random 16-byte salt, AES-256-CBC with a random IV.
fn encrypt_pem(
    key: &SigningKey,
    passphrase: &[u8],
    params: scrypt::Params,
) -> Result<Zeroizing<String>> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    getrandom::fill(&mut salt)
        .and_then(|()| getrandom::fill(&mut iv))
        .context("the operating system's random source failed")?;
    let failed = |e: &dyn std::fmt::Display| anyhow::anyhow!("cannot encrypt the key: {e}");
    let scheme =
        pbes2::Parameters::generate_scrypt_aes256cbc(params, &salt, iv).map_err(|e| failed(&e))?;
    let plain = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    }
    .to_pkcs8_der()
    .map_err(|e| failed(&e))?;
    PrivateKeyInfoRef::try_from(plain.as_bytes())
        .map_err(|e| failed(&e))?
        .encrypt_with_params(scheme, passphrase)
        .map_err(|e| failed(&e))?
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(|e| failed(&e))
}

/// Decrypts an encrypted PKCS#8 PEM, refusing before any key derivation a
/// file whose parameters ask for more than the limits above.
fn decrypt(path: &Path, pem: &str, passphrase: &[u8]) -> Result<SigningKey> {
    let damaged = || anyhow::anyhow!("{} is not a readable encrypted key file", path.display());
    let (_, der) = SecretDocument::from_pem(pem.trim()).map_err(|_| damaged())?;
    let info = EncryptedPrivateKeyInfoRef::try_from(der.as_bytes()).map_err(|_| damaged())?;
    let EncryptionScheme::Pbes2(scheme) = &info.encryption_algorithm else {
        bail!(
            "{}: PBES1 encryption (DES or RC2) is not supported: re-encrypt the key with PBES2",
            path.display()
        );
    };
    check_kdf(&scheme.kdf).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let plain = info.decrypt(passphrase).map_err(|_| {
        anyhow::anyhow!(
            "cannot decrypt {}: wrong passphrase, or the file is damaged",
            path.display()
        )
    })?;
    SigningKey::from_pkcs8_der(plain.as_bytes())
        .map_err(|_| anyhow::anyhow!("{} does not hold an ed25519 key", path.display()))
}

/// Refuses key-derivation parameters beyond the limits, in one line.
fn check_kdf(kdf: &Kdf) -> std::result::Result<(), String> {
    match kdf {
        Kdf::Scrypt(p) => {
            let n = u128::from(p.cost_parameter);
            let r = u128::from(p.block_size);
            let memory = 128 * n * r;
            let work = n * r * u128::from(p.parallelization);
            if memory > MAX_SCRYPT_MEMORY || work > MAX_SCRYPT_WORK {
                return Err(format!(
                    "the key file asks scrypt for N={}, r={}, p={} ({} MiB of memory, work N·r·p = {work}); \
                     accord allows at most {} MiB and work {MAX_SCRYPT_WORK}: refused as damaged or hostile",
                    p.cost_parameter,
                    p.block_size,
                    p.parallelization,
                    memory >> 20,
                    MAX_SCRYPT_MEMORY >> 20,
                ));
            }
        }
        Kdf::Pbkdf2(p) => {
            if p.iteration_count > MAX_PBKDF2_ITERATIONS {
                return Err(format!(
                    "the key file asks for {} PBKDF2 iterations; accord allows at most \
                     {MAX_PBKDF2_ITERATIONS}: refused as damaged or hostile",
                    p.iteration_count
                ));
            }
        }
        _ => return Err("the key file uses a key derivation accord does not know".into()),
    }
    Ok(())
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

/// The longest key file read: a PEM key, even encrypted, is under 1 KiB.
const MAX_KEY_FILE_BYTES: usize = 16 * 1024;

fn read_text(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(crate::bounded::read_at_most(path, MAX_KEY_FILE_BYTES)?);
    match std::str::from_utf8(&bytes) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        Err(_) => bail!("{} is not a PEM key file (not text)", path.display()),
    }
}

/// Loads a private key, refusing files that group or others can read.
pub fn load_private(path: &Path) -> Result<SigningKey> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    if meta.is_file() {
        if let Ok(text) = read_text(path) {
            not_a_pkcs8_private_key(path, &text)?;
        }
    }
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
        return decrypt(path, &text, passphrase.as_bytes());
    }
    crypto::private_key_from_pem(&text).with_context(|| format!("{}", path.display()))
}

/// Refuses, with what to do, the key files people pass by mistake: a
/// public key, or an OpenSSH key (accord signs with PKCS#8 PEM keys).
fn not_a_pkcs8_private_key(path: &Path, text: &str) -> Result<()> {
    let text = text.trim_start();
    if text.starts_with("-----BEGIN PUBLIC KEY") || text.starts_with("ssh-ed25519 ") {
        bail!(
            "{} is a public key: sign with the private key file (from `accord key new`, the one without .pub)",
            path.display()
        );
    }
    if text.starts_with("-----BEGIN OPENSSH PRIVATE KEY") {
        bail!(
            "{} is an OpenSSH key: accord signs with PKCS#8 PEM keys, from `accord key new` or `openssl genpkey -algorithm ed25519`; register that key's public half (in the charter, or by `accord key rotate`)",
            path.display()
        );
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_from_the_previous_writer_opens_with_its_own_parameters() {
        // What `key new --encrypt` wrote before: pkcs8's default PBES2
        // parameters (scrypt N = 2^14, r = 8, p = 1).
        let key = SigningKey::from_bytes(&[3; 32]);
        let pem = KeypairBytes {
            secret_key: key.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_encrypted_pem("old passphrase", LineEnding::LF)
        .unwrap();
        let (_, der) = SecretDocument::from_pem(&pem).unwrap();
        let info = EncryptedPrivateKeyInfoRef::try_from(der.as_bytes()).unwrap();
        let EncryptionScheme::Pbes2(scheme) = &info.encryption_algorithm else {
            panic!("not PBES2");
        };
        let Kdf::Scrypt(p) = &scheme.kdf else {
            panic!("not scrypt");
        };
        assert_eq!(
            (p.cost_parameter, p.block_size, p.parallelization),
            (1 << 14, 8, 1)
        );
        let back = decrypt(Path::new("old.pem"), &pem, b"old passphrase").unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
    }

    #[test]
    fn limits_admit_our_parameters_and_age_s_but_not_more() {
        let scrypt = |n: u64, r: u16, p: u16| {
            check_kdf(&Kdf::Scrypt(pbes2::ScryptParams {
                salt: pbes2::Salt::new([0u8; 16]).unwrap(),
                cost_parameter: n,
                block_size: r,
                parallelization: p,
                key_length: None,
            }))
        };
        assert!(scrypt(1 << SCRYPT_LOG_N, SCRYPT_R as u16, SCRYPT_P as u16).is_ok());
        assert!(scrypt(1 << 18, 8, 1).is_ok());
        assert!(scrypt(1 << 19, 8, 1).is_err());
        assert!(scrypt(1 << 14, 8, 33).is_err());
    }
}
