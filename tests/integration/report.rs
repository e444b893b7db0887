//! `accord report --html`: the page holds the agreement, each party's
//! obligations and timeline, each dispute's record and the head with the
//! command that verifies it; ledger text is escaped and carries
//! `dir="auto"`; nothing in the page points outside it; `--as-of` and
//! `--at` leave later entries out. The browser test (ignored: `.ci/run`)
//! renders the page in headless Chromium with every request sent to a
//! listener that must see none.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{one_line_error, World};

const HOSTILE_NAME: &str = "<script>alert('opp')</script> & co";
const HOSTILE_ESCAPED: &str = "&lt;script&gt;alert(&#39;opp&#39;)&lt;/script&gt; &amp; co";
const ARABIC: &str = "حكومة الجمهورية العربية السورية";
const RUSSIAN: &str = "Российская Федерация";
const TURKISH: &str = "Türkiye Cumhuriyeti Dışişleri Bakanlığı";

/// Runs `accord` at claimed time `time` and asserts success.
fn ok(w: &World, time: &str, args: &[&str]) {
    let out = w
        .accord(&[&["--time", time], args].concat())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A ledger like the demo's: clause C1 adopted and accepted, commitments
/// K1 and K5 (due), allegation A1 against gov on K5, gov's answer, ruling R1
/// confirmed and adopted over ir's dissent. Parties named in Turkish,
/// Russian, Arabic, and by a hostile author.
fn agreement() -> World {
    let w = World::with_parties(
        "Astana ceasefire monitoring mechanism",
        &[
            ("tr", TURKISH, "guarantor"),
            ("ru", RUSSIAN, "guarantor"),
            ("ir", "Islamic Republic of Iran", "guarantor"),
            ("un", "UN Special Envoy for Syria", "mediator"),
            ("gov", ARABIC, "party"),
            ("opp", HOSTILE_NAME, "party"),
        ],
    );
    let t = |s: &str| format!("2017-{s}Z");
    ok(
        &w,
        &t("01-23T09:00:00"),
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    ok(
        &w,
        &t("01-24T10:00:00"),
        &[
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "Trilateral monitoring mechanism",
            "--text",
            "Observe <img src=x onerror=alert(1)> the ceasefire.",
            "--key",
            "tr.pem",
        ],
    );
    for g in ["tr", "ru", "ir"] {
        ok(
            &w,
            &t("01-24T12:00:00"),
            &["clause", "endorse", "C1", "--key", &format!("{g}.pem")],
        );
    }
    ok(
        &w,
        &t("01-24T13:00:00"),
        &["clause", "accept", "C1", "--key", "gov.pem"],
    );
    ok(
        &w,
        &t("01-24T17:00:00"),
        &[
            "commit",
            "--id",
            "K1",
            "--clause",
            "C1",
            "--text",
            "Hold the government forces to the ceasefire.",
            "--key",
            "ru.pem",
        ],
    );
    ok(
        &w,
        &t("01-24T17:00:00"),
        &[
            "commit",
            "--id",
            "K5",
            "--clause",
            "C1",
            "--zone",
            "Wadi Barada",
            "--due",
            "2017-03-01T00:00:00Z",
            "--text",
            "Observe the ceasefire in Wadi Barada.",
            "--key",
            "gov.pem",
        ],
    );
    ok(
        &w,
        &t("01-26T08:00:00"),
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "gov",
            "--commitment",
            "K5",
            "--occurred",
            "2017-01-25T06:00:00Z",
            "--location",
            "Wadi Barada",
            "--summary",
            "Ground offensive on the besieged enclave.",
            "--key",
            "opp.pem",
        ],
    );
    ok(
        &w,
        &t("01-27T10:00:00"),
        &[
            "respond",
            "A1",
            "--position",
            "justify",
            "--text",
            "Operations target a designated group.",
            "--key",
            "gov.pem",
        ],
    );
    ok(
        &w,
        &t("02-07T10:00:00"),
        &[
            "ruling",
            "propose",
            "--id",
            "R1",
            "--allegation",
            "A1",
            "--finding",
            "confirmed",
            "--attribution",
            "gov",
            "--breach",
            "K5",
            "--text",
            "The offensive took place.",
            "--key",
            "tr.pem",
        ],
    );
    ok(
        &w,
        &t("02-07T10:00:00"),
        &["ruling", "endorse", "R1", "--key", "tr.pem"],
    );
    ok(
        &w,
        &t("02-07T10:00:00"),
        &[
            "ruling",
            "dissent",
            "R1",
            "--text",
            "The finding ignores the water cut.",
            "--key",
            "ir.pem",
        ],
    );
    ok(
        &w,
        &t("02-07T10:00:00"),
        &["ruling", "endorse", "R1", "--key", "ru.pem"],
    );
    w
}

/// Writes the report with `extra` arguments and returns the page.
fn report(w: &World, extra: &[&str]) -> String {
    let out = w
        .accord(&[&["report", "--html", "report.html"], extra].concat())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(w.path("report.html")).unwrap()
}

/// The head `verify --json` reports, as SEQ:HASH.
fn head(w: &World) -> String {
    let v = w.json(&["verify", "--json"]);
    format!(
        "{}:{}",
        v["head"]["seq"],
        v["head"]["hash"].as_str().unwrap()
    )
}

#[test]
fn the_report_holds_the_agreement_obligations_disputes_and_head() {
    let w = agreement();
    let html = report(&w, &[]);
    for want in [
        "<!DOCTYPE html>",
        "<html lang=\"en\">",
        "<meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "Astana ceasefire monitoring mechanism",
        "UN Special Envoy for Syria",
        // The clause, its state, endorsers, acceptor and adopting entry.
        "<code>C1</code>",
        "Trilateral monitoring mechanism",
        "tr (entry 2), ru (entry 3), ir (entry 4)",
        "gov (entry 5)",
        "adopted at entry 4",
        // Commitments with due dates and states; the breach and its ruling.
        "<code>K1</code>",
        "<code>K5</code>",
        "<time datetime=\"2017-03-01T00:00:00Z\">",
        "<code>K5</code> due",
        ">breached<",
        ">active<",
        // The dispute: allegation, answer, ruling, endorsements, dissent.
        "id=\"dispute-A1\"",
        "Ground offensive on the besieged enclave.",
        "answers A1 (justify): Operations target a designated group.",
        "proposes ruling R1 on A1: confirmed",
        "endorses ruling R1",
        "dissents from ruling R1: The finding ignores the water cut.",
        ">ruled<",
        ">confirmed<",
        ">adopted<",
    ] {
        assert!(html.contains(want), "the report lacks {want:?}");
    }
    let expect = head(&w);
    assert!(html.contains(&format!("accord verify --expect-head {expect}")));
    w.accord(&["verify", "--expect-head", &expect])
        .assert()
        .success();
    // Each party's timeline is in time order: gov's commitment, the
    // allegation, its answer, then the ruling.
    let gov = &html[html.find("id=\"party-gov\"").unwrap()..];
    let gov = &gov[..gov.find("</section>").unwrap()];
    let order: Vec<usize> = [
        "commits (K5",
        "alleges (A1)",
        "answers A1",
        "proposes ruling R1",
        "<code>K5</code> due",
    ]
    .iter()
    .map(|s| {
        gov.find(s)
            .unwrap_or_else(|| panic!("gov's timeline lacks {s:?}"))
    })
    .collect();
    assert!(order.windows(2).all(|p| p[0] < p[1]), "{order:?}");
    // A guarantor's timeline holds what it signed: ir's endorsement and
    // dissent.
    let ir = &html[html.find("id=\"party-ir\"").unwrap()..];
    let ir = &ir[..ir.find("</section>").unwrap()];
    assert!(ir.contains("endorses clause C1"), "{ir}");
    assert!(ir.contains("dissents from ruling R1"), "{ir}");
}

#[test]
fn report_escapes_hostile_ledger_text() {
    let w = agreement();
    let html = report(&w, &[]);
    assert!(html.contains(HOSTILE_ESCAPED), "the name is not escaped");
    assert!(!html.contains(HOSTILE_NAME));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<img"));
    assert!(html.contains("Observe &lt;img src=x onerror=alert(1)&gt; the ceasefire."));
}

#[test]
fn report_names_in_arabic_russian_and_turkish_carry_dir_auto() {
    let w = agreement();
    let html = report(&w, &[]);
    for name in [ARABIC, RUSSIAN, TURKISH] {
        assert!(
            html.contains(&format!("<td dir=\"auto\">{name}</td>")),
            "{name} is not in a dir=auto cell"
        );
        assert!(
            html.contains(&format!("<span dir=\"auto\">{name}</span>")),
            "{name} is not in a dir=auto heading"
        );
    }
}

/// Every tag of `html` (`<name ...>`), without the text between them.
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').expect("an unclosed tag");
        out.push(&rest[..=end]);
        rest = &rest[end + 1..];
    }
    out
}

#[test]
fn report_points_nowhere_outside_itself() {
    let w = agreement();
    let html = report(&w, &[]);
    for bad in [
        "http://", "https://", "@import", "url(", "<link", "<script", "<iframe",
    ] {
        assert!(!html.contains(bad), "the report holds {bad:?}");
    }
    for tag in tags(&html) {
        assert!(!tag.contains("src="), "{tag}");
        if let Some(i) = tag.find("href=") {
            assert!(tag[i..].starts_with("href=\"#"), "{tag}");
        }
    }
}

#[test]
fn report_as_of_a_time_or_at_an_entry_leaves_later_entries_out() {
    let w = agreement();
    // Before the allegation: K5 is made and active, A1 and R1 are not yet.
    for point in [&["--as-of", "2017-01-25T00:00:00Z"][..], &["--at", "7"][..]] {
        let html = report(&w, point);
        assert!(html.contains("<code>K5</code>"), "{point:?}");
        assert!(html.contains("report up to entry 7"), "{point:?}");
        assert!(!html.contains("A1"), "{point:?}");
        assert!(!html.contains("R1"), "{point:?}");
        assert!(!html.contains(">breached<"), "{point:?}");
        assert!(html.contains("No allegation is on record."), "{point:?}");
        let seven = w.entry_list()[7].1.clone();
        assert!(html.contains(&format!("accord verify --expect-head 7:{seven}")));
    }
    // After the answer, before the ruling: A1 answered, K5 not yet breached.
    let html = report(&w, &["--as-of", "2017-02-01T00:00:00Z"]);
    assert!(html.contains(">answered<"));
    assert!(!html.contains("R1"));
    assert!(!html.contains(">breached<"));
}

#[test]
fn report_refusals_are_one_line() {
    let w = agreement();
    let err = one_line_error(
        w.accord(&["report", "--html", "r.html", "--at", "999"])
            .assert(),
    );
    assert!(err.contains("999"), "{err}");
    let err = one_line_error(
        w.accord(&[
            "report",
            "--html",
            "r.html",
            "--as-of",
            "2000-01-01T00:00:00Z",
        ])
        .assert(),
    );
    assert!(err.contains("before the ledger was founded"), "{err}");
    let err = one_line_error(
        w.accord(&["report", "--html", "no-such-dir/r.html"])
            .assert(),
    );
    assert!(err.contains("cannot write"), "{err}");
    assert!(!w.path("r.html").exists());
}

/// The requests Chromium makes by itself on start-up, whatever the page
/// holds (Debian's build turns on its extension updater, network time and
/// sign-in, which no flag turns off), by method, host and path: anything
/// else the proxy sees came from the page. A page's own request to the same
/// hosts in another form (`CONNECT clients2.google.com:443` for an https
/// image there, another path over http) is still caught; one of the exact
/// forms below is not, which is why the page's Content-Security-Policy and
/// the tests of the HTML itself (no URL in any attribute) stay the first
/// line.
const BROWSER_OWN: [&str; 4] = [
    "GET clients2.google.com/time/1/current",
    "POST update.googleapis.com/service/update2/json",
    "CONNECT update.googleapis.com:443",
    "CONNECT accounts.google.com:443",
];

/// A proxy request as `METHOD host/path` (the query left out), or
/// `CONNECT host:port`; `None` for a connection that sent nothing.
fn requested(request: &str) -> Option<String> {
    let mut words = request.split_whitespace();
    let method = words.next()?;
    let target = words.next()?;
    let target = target.strip_prefix("http://").unwrap_or(target);
    let target = target.split('?').next().unwrap_or(target);
    Some(format!("{method} {target}"))
}

/// Whether a request is one Chromium makes by itself.
fn browser_own(request: &str) -> bool {
    BROWSER_OWN
        .iter()
        .any(|own| request == *own || (request.starts_with(own) && !own.starts_with("CONNECT")))
}

/// Runs headless Chromium on `page` with `args`, every request it makes
/// sent to a proxy on loopback; returns its standard output and the
/// requests the proxy received that are not Chromium's own.
fn chromium(page: &Path, args: &[&str]) -> (String, Vec<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let hosts = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicBool::new(false));
    // The listener stops by itself after two minutes, or when told.
    let watcher = {
        let (hosts, done) = (hosts.clone(), done.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !done.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                        let mut buf = [0; 1024];
                        let n = stream.read(&mut buf).unwrap_or(0);
                        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                        hosts.lock().unwrap().extend(requested(&request));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        })
    };
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--proxy-server=http://127.0.0.1:{port}"),
            "--proxy-bypass-list=<-loopback>",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("/usr/bin/chromium runs (apt-get install chromium)");
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Give a late request time to arrive before counting.
    std::thread::sleep(Duration::from_millis(500));
    done.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    let mut hosts = hosts.lock().unwrap().clone();
    hosts.retain(|r| !browser_own(r));
    (String::from_utf8_lossy(&out.stdout).into_owned(), hosts)
}

#[test]
#[ignore = "needs /usr/bin/chromium: run by .ci/run"]
fn browser_renders_the_report_offline() {
    let w = agreement();
    report(&w, &[]);
    let page = w.path("report.html");
    let (dom, requests) = chromium(&page, &["--dump-dom"]);
    assert_eq!(
        requests,
        Vec::<String>::new(),
        "the report made network requests"
    );
    for want in [
        "<html lang=\"en\">",
        "Trilateral monitoring mechanism",
        "id=\"party-gov\"",
        "id=\"dispute-A1\"",
        "dissents from ruling R1",
        ">breached<",
        &format!("<span dir=\"auto\">{ARABIC}</span>"),
        &format!("<td dir=\"auto\">{RUSSIAN}</td>"),
        &format!("<td dir=\"auto\">{TURKISH}</td>"),
        // As the DOM serialises text: quotes stay as they are.
        "&lt;script&gt;alert('opp')&lt;/script&gt; &amp; co",
        &format!("accord verify --expect-head {}", head(&w)),
    ] {
        assert!(dom.contains(want), "the rendered DOM lacks {want:?}");
    }
    // The hostile name stayed text: no script element reached the DOM.
    assert!(!dom.contains("<script"));
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::remove_file(&shot);
    let (_, requests) = chromium(
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
        ],
    );
    assert_eq!(
        requests,
        Vec::<String>::new(),
        "the report made network requests"
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    // The check can fail: a page that loads an image is seen by the proxy,
    // from any host, including the ones Chromium itself calls.
    for (src, seen) in [
        ("http://example.com/x.png", "GET example.com/x.png"),
        (
            "https://clients2.google.com/x.png",
            "CONNECT clients2.google.com:443",
        ),
        (
            "http://update.googleapis.com/x.png",
            "GET update.googleapis.com/x.png",
        ),
    ] {
        let leaky = w.path("leaky.html");
        std::fs::write(&leaky, format!("<!DOCTYPE html><img src=\"{src}\">")).unwrap();
        let (_, requests) = chromium(&leaky, &["--dump-dom"]);
        assert!(requests.iter().any(|r| r == seen), "{src}: {requests:?}");
    }
}
