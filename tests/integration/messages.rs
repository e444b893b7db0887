//! Messages that say what is wrong and what to do (issue 15): a public or
//! OpenSSH key passed to sign, a convener the charter does not name, a
//! retired key, times in RFC 3339 (never Unix seconds), and `rejected:`
//! only on a refused append.

use crate::common::{one_line_error, World};

#[test]
fn a_public_key_passed_to_sign_is_named_as_such_not_sent_to_chmod() {
    let w = World::founded();
    let e = one_line_error(w.propose_with_key("C1", "tr.pem.pub"));
    assert!(
        e.contains("tr.pem.pub is a public key: sign with the private key file"),
        "{e}"
    );
    assert!(!e.contains("chmod"), "{e}");
}

#[test]
fn an_openssh_key_is_recognised_and_the_way_out_named() {
    let w = World::founded();
    let body = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
    std::fs::write(w.path("id_ed25519"), body).unwrap();
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    std::fs::set_permissions(w.path("id_ed25519"), private).unwrap();
    let e = one_line_error(w.propose_with_key("C1", "id_ed25519"));
    assert!(e.contains("id_ed25519 is an OpenSSH key"), "{e}");
    assert!(e.contains("accord key new"), "{e}");
}

#[test]
fn a_convener_the_charter_does_not_name_is_told_so() {
    let w = World::new();
    w.accord(&["key", "new", "--out", "stranger.pem"])
        .assert()
        .success();
    let e = one_line_error(
        w.accord(&["init", "--charter", "charter.toml", "--key", "stranger.pem"])
            .assert(),
    );
    assert!(e.contains("the convener is not in the charter"), "{e}");
    assert!(e.contains("stranger.pem"), "{e}");
    assert!(!w.ledger().exists());
}

#[test]
fn a_rotated_key_is_named_with_its_party_and_where_to_look() {
    let w = World::founded();
    w.accord(&["key", "new", "--out", "tr2.pem"])
        .assert()
        .success();
    w.accord(&["key", "rotate", "--new", "tr2.pem", "--key", "tr.pem"])
        .assert()
        .success();
    let e = one_line_error(w.propose("C1", "tr"));
    assert!(
        e.contains("was tr's until a rotation or revocation (it signs nothing from entry 2 on)"),
        "{e}"
    );
    assert!(e.contains("`accord key list`"), "{e}");
    w.accord(&["key", "new", "--out", "stranger.pem"])
        .assert()
        .success();
    let e = one_line_error(w.propose_with_key("C1", "stranger.pem"));
    assert!(
        e.contains("is not the key of any party of this ledger"),
        "{e}"
    );
    assert!(e.contains("`accord key list`"), "{e}");
}

#[test]
fn times_in_refusals_are_rfc3339_and_reads_never_say_rejected() {
    let w = World::founded();
    // Entry 0 was signed at this machine's clock; an earlier claim is refused.
    let e = one_line_error(
        w.accord(&["--time", "2017-01-24T10:00:00Z"])
            .args([
                "clause", "propose", "--id", "C1", "--title", "T", "--text", "X", "--key", "tr.pem",
            ])
            .assert(),
    );
    assert!(e.starts_with("error: rejected: claimed time 2017-01-24T10:00:00Z is before the previous entry's time 20"), "{e}");
    assert!(!e.contains("14852"), "{e}");
    // A read that names nothing on record is not a refused append.
    for args in [
        &["history", "X9"][..],
        &["clause", "show", "C9"],
        &["evidence", "check", "A9", "charter.toml"],
        &["show", "99"],
    ] {
        let e = one_line_error(w.accord(args).assert());
        assert!(!e.contains("rejected"), "{args:?}: {e}");
    }
}

#[test]
fn an_endorsement_short_of_adoption_says_what_adopts_it() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    let out = w.endorse("C1", "tr").success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("clause C1: 1 endorsement(s) so far, not yet adopted: it is adopted when all 3 guarantors endorse it"),
        "{text}"
    );
}
