//! Encrypted key files through the real binary: new files get the current
//! scrypt parameters, files with older parameters still open, and a file
//! asking for absurd parameters is refused in one line before any memory is
//! allocated for it (docs/SECURITY.md, "Keys").

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::one_line_error;
use assert_cmd::Command;
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::pem::LineEnding;
use pkcs8::der::{Decode, EncodePem};
use pkcs8::pkcs5::pbes2::{self, Kdf, ScryptParams};
use pkcs8::pkcs5::EncryptionScheme;
use pkcs8::EncryptedPrivateKeyInfoRef;

const PASSPHRASE: &str = "correct horse battery";
/// Made by `openssl pkcs8 -topk8 -scrypt -scrypt_N 16384 -scrypt_r 8
/// -scrypt_p 1` (OpenSSL 3.0.19): the parameters accord wrote before.
const OPENSSL_OLD: &str = include_str!("../fixtures/keyfile-params/openssl-scrypt-n14-r8-p1.pem");
const OPENSSL_OLD_PUBLIC: &str = "da3bdaaf98310ed53385d5e3711a8aed64f051a5e8e7fdefa14569c6effa5ceb";

fn accord(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("accord").unwrap();
    cmd.current_dir(dir)
        .env_remove("ACCORD_LEDGER")
        .env_remove("ACCORD_KEY")
        .env_remove("RUST_BACKTRACE")
        .env("ACCORD_PASSPHRASE", PASSPHRASE)
        .args(args);
    cmd
}

fn write_0600(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The scrypt parameters (N, r, p) an encrypted PEM file declares.
fn scrypt_params(pem: &str) -> (u64, u16, u16) {
    let (label, der) = pkcs8::der::pem::decode_vec(pem.as_bytes()).unwrap();
    assert_eq!(label, "ENCRYPTED PRIVATE KEY");
    let info = EncryptedPrivateKeyInfoRef::from_der(&der).unwrap();
    let EncryptionScheme::Pbes2(scheme) = info.encryption_algorithm else {
        panic!("not PBES2");
    };
    assert!(matches!(
        scheme.encryption,
        pbes2::EncryptionScheme::Aes256Cbc { .. }
    ));
    let Kdf::Scrypt(p) = scheme.kdf else {
        panic!("not scrypt");
    };
    (p.cost_parameter, p.block_size, p.parallelization)
}

#[test]
fn key_new_encrypt_writes_n_2_14_r_8_p_8_and_the_key_opens() {
    let dir = tempfile::tempdir().unwrap();
    accord(dir.path(), &["key", "new", "--encrypt", "--out", "k.pem"])
        .assert()
        .success();
    let pem = std::fs::read_to_string(dir.path().join("k.pem")).unwrap();
    assert_eq!(scrypt_params(&pem), (1 << 14, 8, 8));
    let shown = accord(dir.path(), &["key", "show", "k.pem", "--json"])
        .assert()
        .success();
    let public = std::fs::read_to_string(dir.path().join("k.pem.pub")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&shown.get_output().stdout).unwrap();
    let from_pub = accord(dir.path(), &["key", "show", "k.pem.pub", "--json"])
        .assert()
        .success();
    let w: serde_json::Value = serde_json::from_slice(&from_pub.get_output().stdout).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(v["public_key"], w["public_key"]);
}

#[test]
fn a_key_encrypted_with_the_old_parameters_still_opens() {
    assert_eq!(scrypt_params(OPENSSL_OLD), (1 << 14, 8, 1));
    let dir = tempfile::tempdir().unwrap();
    write_0600(&dir.path().join("old.pem"), OPENSSL_OLD);
    let out = accord(dir.path(), &["key", "show", "old.pem", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["public_key"], OPENSSL_OLD_PUBLIC);
    let e = one_line_error(
        accord(dir.path(), &["key", "show", "old.pem"])
            .env("ACCORD_PASSPHRASE", "wrong passphrase")
            .assert(),
    );
    assert!(e.contains("wrong passphrase"), "{e}");
}

/// An encrypted key file declaring `kdf`, with 48 bytes of ciphertext that
/// nothing will ever decrypt.
fn hostile_pem(kdf: Kdf) -> String {
    let ciphertext = [0x5au8; 48];
    EncryptedPrivateKeyInfoRef {
        encryption_algorithm: EncryptionScheme::Pbes2(pbes2::Parameters {
            kdf,
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [7; 16] },
        }),
        encrypted_data: OctetStringRef::new(&ciphertext).unwrap(),
    }
    .to_pem(LineEnding::LF)
    .unwrap()
}

fn scrypt_kdf(n: u64, r: u16, p: u16) -> Kdf {
    Kdf::Scrypt(ScryptParams {
        salt: pbes2::Salt::new([1u8; 16]).unwrap(),
        cost_parameter: n,
        block_size: r,
        parallelization: p,
        key_length: None,
    })
}

#[test]
fn a_key_file_claiming_absurd_parameters_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // 128 TiB of memory.
        ("n.pem", hostile_pem(scrypt_kdf(1 << 40, 8, 1))),
        // 16 MiB, but 65,535 times over: hours of work.
        ("p.pem", hostile_pem(scrypt_kdf(1 << 14, 8, u16::MAX))),
        // 2^20 · 1,024 · 128 bytes.
        ("r.pem", hostile_pem(scrypt_kdf(1 << 20, 1024, 1))),
        (
            "pbkdf2.pem",
            hostile_pem(Kdf::Pbkdf2(
                pbes2::Pbkdf2Params::hmac_sha256(100_000_000, &[1u8; 16]).unwrap(),
            )),
        ),
    ];
    for (name, pem) in cases {
        write_0600(&dir.path().join(name), &pem);
        let e = one_line_error(accord(dir.path(), &["key", "show", name]).assert());
        assert!(e.contains(name), "{e}");
        assert!(e.contains("refused as damaged or hostile"), "{e}");
    }
}

/// The reason for the parameters: OpenSSL 3 decrypts what `key new
/// --encrypt` writes. Needs the `openssl` command, so it is ignored in
/// `make test`; .ci/run runs it, and there it fails, not skips, without
/// openssl.
#[test]
#[ignore = "needs the openssl command: .ci/run runs it with --ignored"]
fn openssl_decrypts_a_newly_encrypted_key() {
    let dir = tempfile::tempdir().unwrap();
    accord(dir.path(), &["key", "new", "--encrypt", "--out", "k.pem"])
        .assert()
        .success();
    let out = std::process::Command::new("openssl")
        .args(["pkey", "-in", "k.pem", "-pubout"])
        .arg("-passin")
        .arg(format!("pass:{PASSPHRASE}"))
        .current_dir(dir.path())
        .output()
        .expect("the openssl command runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout,
        std::fs::read(dir.path().join("k.pem.pub")).unwrap()
    );
}
