//! The report for a delegation as one static HTML page: the agreement at a
//! glance (parties, clauses), each party's obligations and its timeline,
//! each dispute's record, and the ledger head with the command that checks
//! it. The page loads nothing: inline CSS only, and a Content-Security-Policy
//! that forbids every fetch. Every piece of ledger text is escaped and sits
//! in an element with `dir="auto"`, so Arabic runs right to left and no
//! author's text can add markup or reorder its neighbours.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::clause_view::{ClauseView, Signed};
use accord_core::projection::{AllegationView, CommitmentView, PartyView, RulingView};
use accord_core::{EntryHash, Head, Party, PartyId};

use crate::clock;

/// One entry as the timelines and dispute records list it.
pub struct Line {
    pub seq: u64,
    pub time: i64,
    pub author: PartyId,
    /// What the entry says, in one line (`accord_core::bundle::says`).
    pub says: String,
    pub hash: EntryHash,
    /// The item ids the entry names.
    pub mentions: Vec<String>,
}

/// One allegation and the entries that make up its record, in order.
pub struct Dispute {
    pub allegation: AllegationView,
    /// Indexes into [`Report::lines`].
    pub lines: Vec<usize>,
}

/// Everything the page shows, computed by `commands::report`.
pub struct Report {
    pub title: String,
    pub ledger_id: String,
    /// The last entry the report covers.
    pub head: Head,
    pub head_time: i64,
    /// The time states such as overdue and lapsed are judged at.
    pub judged_at: i64,
    pub parties: Vec<Party>,
    pub clauses: Vec<ClauseView>,
    pub obligations: Vec<PartyView>,
    /// The entries that name an item, in ledger order.
    pub lines: Vec<Line>,
    pub disputes: Vec<Dispute>,
}

/// `s` with the characters HTML gives meaning to replaced by references,
/// and control characters other than tab and newline, and the bidi
/// embedding, override and isolate controls (which could reorder the text
/// around them, in the page title too), by U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Ledger text inline, in its own direction.
fn t(s: &str) -> String {
    format!("<span dir=\"auto\">{}</span>", escape(s))
}

/// A table cell holding only ledger text.
fn td(s: &str) -> String {
    format!("<td dir=\"auto\">{}</td>", escape(s))
}

fn time(secs: i64) -> String {
    let s = clock::format(secs);
    format!("<time datetime=\"{s}\">{s}</time>")
}

/// A state as a word (the colour only repeats it).
fn state(word: impl std::fmt::Display) -> String {
    let word = escape(&word.to_string());
    format!("<span class=\"state s-{word}\">{word}</span>")
}

fn ids<T: std::fmt::Display>(list: &[T]) -> String {
    match list.is_empty() {
        true => "—".into(),
        false => list
            .iter()
            .map(|s| escape(&s.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn signed(list: &[Signed]) -> String {
    match list.is_empty() {
        true => "—".into(),
        false => list
            .iter()
            .map(|s| format!("{} (entry {})", escape(s.party.as_str()), s.seq))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "—".into())
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic",
  "DejaVu Sans", Tahoma, Arial, sans-serif; line-height: 1.45; color: #111; background: #fff;
  max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; font-size: 15px; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #333; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-bottom: .3rem; }
h4 { font-size: 1rem; margin: .8rem 0 .3rem; }
.meta { color: #444; }
nav ul { padding-left: 1.2rem; columns: 2; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; font-size: .92rem; }
th, td { border: 1px solid #999; padding: .25rem .4rem; vertical-align: top; text-align: start; }
th { background: #eee; }
td code { white-space: nowrap; }
code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em;
  overflow-wrap: anywhere; }
pre { background: #f3f3f3; border: 1px solid #bbb; padding: .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.text { white-space: pre-wrap; margin: .2rem 0; }
.state { display: inline-block; border: 1px solid #666; border-radius: .25rem; padding: 0 .3rem;
  font-weight: 600; font-size: .85rem; white-space: nowrap; }
.s-adopted, .s-fulfilled, .s-remedied, .s-active, .s-fulfilled-late { background: #e3f4e3; }
.s-breached, .s-overdue, .s-confirmed { background: #fbe0e0; border-width: 2px; }
.s-proposed, .s-pending, .s-filed, .s-answered, .s-provisional { background: #fff5d6; }
.s-withdrawn, .s-superseded, .s-lapsed, .s-ruled { background: #eee; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid #555; margin-left: .4rem; }
ol.timeline li { position: relative; padding: .2rem 0 .45rem 1.1rem; }
ol.timeline li::before { content: ""; position: absolute; left: -.5rem; top: .5rem; width: .5rem;
  height: .5rem; background: #fff; border: 2px solid #555; border-radius: 50%; }
ol.timeline li.due::before { border-radius: 0; }
.when { font-variant-numeric: tabular-nums; }
.seq { color: #444; }
.party, .dispute { border-top: 1px solid #bbb; padding-top: .3rem; }
.none { color: #555; font-style: italic; }
@media print {
  body { max-width: none; font-size: 10pt; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  .party, .dispute { break-before: auto; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole page.
pub fn render(r: &Report) -> String {
    let names: BTreeMap<&str, &str> = r
        .parties
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let mut out = String::new();
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += &format!(
        "<title dir=\"auto\">{} — report up to entry {}</title>\n",
        escape(&r.title),
        r.head.seq
    );
    out += &format!("<style>{STYLE}</style>\n</head>\n<body>\n");
    out += &format!("<h1 dir=\"auto\">{}</h1>\n", escape(&r.title));
    out += &format!(
        "<p class=\"meta\">As recorded up to entry {} ({}); states judged at {}. Ledger id <code>{}</code>.</p>\n",
        r.head.seq,
        time(r.head_time),
        time(r.judged_at),
        escape(&r.ledger_id)
    );
    out += "<nav><ul><li><a href=\"#agreement\">The agreement at a glance</a></li>\
<li><a href=\"#obligations\">Each party's obligations over time</a></li>\
<li><a href=\"#disputes\">Disputes</a></li>\
<li><a href=\"#head\">The ledger head and how to verify it</a></li></ul></nav>\n";
    out += &agreement(r);
    out += "<h2 id=\"obligations\">Each party's obligations over time</h2>\n";
    for v in &r.obligations {
        out += &party(r, v, &names);
    }
    out += &disputes(r, &names);
    out += &head(r);
    out += "</body>\n</html>\n";
    out
}

fn agreement(r: &Report) -> String {
    let mut out =
        String::from("<h2 id=\"agreement\">The agreement at a glance</h2>\n<h3>Parties</h3>\n");
    out += "<table><thead><tr><th>id</th><th>name</th><th>role</th></tr></thead><tbody>\n";
    for p in &r.parties {
        out += &format!(
            "<tr><td><code>{}</code></td>{}<td>{}</td></tr>\n",
            escape(p.id.as_str()),
            td(&p.name),
            p.role
        );
    }
    out += "</tbody></table>\n<h3>Clauses</h3>\n";
    if r.clauses.is_empty() {
        out += "<p class=\"none\">No clause is on record.</p>\n";
        return out;
    }
    out += "<table><thead><tr><th>clause</th><th>state</th><th>title and text</th>\
<th>proposed</th><th>endorsed by</th><th>accepted by</th><th>declined by</th><th>adoption</th></tr></thead><tbody>\n";
    for c in &r.clauses {
        let mut adoption = match c.adopted_at {
            Some(seq) => format!("adopted at entry {seq}"),
            None => "not adopted".into(),
        };
        if let Some(m) = &c.missing {
            adoption += &format!(
                "; {} more endorsement(s) needed (not yet: {})",
                m.endorsements_needed,
                ids(&m.guarantors)
            );
        }
        if c.adopted_at.is_some() {
            adoption += &match c.until {
                Some(u) => format!("; until {}", time(u)),
                None => "; no end".into(),
            };
        }
        if let Some(old) = &c.revises {
            adoption += &format!("; revises {}", escape(old.as_str()));
        }
        if let (Some(by), Some(seq)) = (&c.superseded_by, c.superseded_at) {
            adoption += &format!("; superseded by {} at entry {seq}", escape(by.as_str()));
        }
        if let Some(seq) = c.withdrawn_at {
            adoption += &format!("; withdrawn at entry {seq}");
        }
        if !c.to_accept.is_empty() {
            adoption += &format!("; to accept: {}", ids(&c.to_accept));
        }
        out += &format!(
            "<tr id=\"clause-{id}\"><td><code>{id}</code></td><td>{}</td>\
<td><strong dir=\"auto\">{}</strong><div class=\"text\" dir=\"auto\">{}</div></td>\
<td>by {} at entry {}</td><td>{}</td><td>{}</td><td>{}</td><td>{adoption}</td></tr>\n",
            state(c.phase),
            escape(&c.title),
            escape(&c.text),
            escape(c.proposer.as_str()),
            c.proposed_at,
            signed(&c.endorsers),
            signed(&c.acceptors),
            signed(&c.decliners),
            id = escape(c.id.as_str()),
        );
    }
    out += "</tbody></table>\n";
    out
}

fn commitments(list: &[CommitmentView]) -> String {
    let mut out = String::from(
        "<h4>Commitments</h4>\n<table><thead><tr><th>id</th><th>state</th><th>under</th><th>text</th>\
<th>zone</th><th>due</th><th>until</th><th>breached by</th></tr></thead><tbody>\n",
    );
    for c in list {
        let mut st = state(c.state);
        if let Some(p) = &c.progress {
            st += &format!(" progress {} of {}", p.done, p.of);
        }
        out += &format!(
            "<tr><td><code>{}</code></td><td>{st}</td><td><code>{}</code></td>{}{}<td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(c.id.as_str()),
            escape(c.clause.as_str()),
            td(&c.text),
            td(c.zone.as_deref().unwrap_or("—")),
            or_dash(c.due.map(time)),
            or_dash(c.until.map(time)),
            ids(&c.breached_by),
        );
    }
    out + "</tbody></table>\n"
}

fn accused(a: &AllegationView) -> String {
    match a.accused.is_empty() {
        true => "persons unknown".into(),
        false => ids(&a.accused),
    }
}

fn allegations(heading: &str, list: &[AllegationView]) -> String {
    let mut out = format!(
        "<h4>{heading}</h4>\n<table><thead><tr><th>id</th><th>state</th><th>by</th><th>against</th>\
<th>occurred</th><th>location</th><th>summary</th><th>ruling</th></tr></thead><tbody>\n"
    );
    for a in list {
        let mut st = state(a.state);
        if let Some(f) = a.finding {
            st += &format!(" finding {}", state(f));
        }
        out += &format!(
            "<tr><td><a href=\"#dispute-{id}\"><code>{id}</code></a></td><td>{st}</td><td>{}</td><td>{}</td><td>{}</td>{}{}<td>{}</td></tr>\n",
            escape(a.by.as_str()),
            accused(a),
            time(a.occurred),
            td(&a.location),
            td(&a.summary),
            or_dash(a.ruling.as_ref().map(|r| escape(r.as_str()))),
            id = escape(a.id.as_str()),
        );
    }
    out + "</tbody></table>\n"
}

fn rulings(list: &[&RulingView]) -> String {
    let mut out = String::from(
        "<table><thead><tr><th>ruling</th><th>state</th><th>on</th><th>finding</th><th>attributed to</th>\
<th>breaches</th><th>endorsed by</th><th>dissent</th></tr></thead><tbody>\n",
    );
    for r in list {
        let mut st = state(r.state);
        if let Some(b) = &r.body {
            st += &format!(" by body {}", escape(b.as_str()));
        }
        if let Some(by) = &r.superseded_by {
            st += &format!(" by {}", escape(by.as_str()));
        }
        out += &format!(
            "<tr><td><code>{}</code></td><td>{st}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(r.id.as_str()),
            escape(&r.on),
            state(r.finding),
            escape(&r.attribution.to_string()),
            ids(&r.breaches),
            ids(&r.endorsements),
            ids(&r.dissents),
        );
    }
    out + "</tbody></table>\n"
}

/// One timeline row: an entry, with the states now of the items it names
/// that `states` holds.
fn line_item(l: &Line, names: &BTreeMap<&str, &str>, states: &BTreeMap<String, String>) -> String {
    let author = names.get(l.author.as_str()).copied().unwrap_or_default();
    let now: Vec<String> = l
        .mentions
        .iter()
        .filter_map(|m| states.get(m).map(|s| format!("{}: {s}", escape(m))))
        .collect();
    let now = match now.is_empty() {
        true => String::new(),
        false => format!(" <span class=\"now\">(now {})</span>", now.join(", ")),
    };
    format!(
        "<li><span class=\"when\">{}</span> <span class=\"seq\">entry {} <code class=\"hash\">{}</code></span> — \
<strong><code>{}</code></strong> <span dir=\"auto\" class=\"author\">({})</span>: {}{now}</li>\n",
        time(l.time),
        l.seq,
        l.hash.short(),
        escape(l.author.as_str()),
        escape(author),
        t(&l.says),
    )
}

fn party(r: &Report, v: &PartyView, names: &BTreeMap<&str, &str>) -> String {
    let id = escape(v.party.as_str());
    let mut out = format!(
        "<section class=\"party\" id=\"party-{id}\"><h3><code>{id}</code> — <span dir=\"auto\">{}</span> ({})</h3>\n",
        escape(&v.name),
        v.role
    );
    // The current state of each item the party is concerned by, shown
    // beside each entry of its timeline.
    let mut states: BTreeMap<String, String> = BTreeMap::new();
    for c in &v.commitments {
        states.insert(c.id.to_string(), state(c.state));
    }
    for a in v.allegations_against.iter().chain(&v.allegations_by) {
        states.insert(a.id.to_string(), state(a.state));
    }
    for ru in &v.rulings {
        states.insert(ru.id.to_string(), state(ru.state));
    }
    if !v.commitments.is_empty() {
        out += &commitments(&v.commitments);
    }
    if !v.allegations_against.is_empty() {
        out += &allegations("Allegations against it", &v.allegations_against);
    }
    if !v.allegations_by.is_empty() {
        out += &allegations("Allegations it filed", &v.allegations_by);
    }
    if !v.rulings.is_empty() {
        out += "<h4>Rulings that concern it</h4>\n";
        out += &rulings(&v.rulings.iter().collect::<Vec<_>>());
    }
    if !v.duties.is_empty() {
        out += "<h4>Still to do</h4>\n<ul>\n";
        for d in &v.duties {
            out += &format!("<li>{} <code>{}</code></li>\n", d.duty, escape(&d.item));
        }
        out += "</ul>\n";
    }
    // The entries it signed or that name its items, and the due and until
    // times of its commitments, by time (an entry before a deadline at the
    // same time).
    let mut rows: Vec<(i64, u8, String)> = r
        .lines
        .iter()
        .filter(|l| l.author == v.party || l.mentions.iter().any(|m| states.contains_key(m)))
        .map(|l| (l.time, 0, line_item(l, names, &states)))
        .collect();
    for c in &v.commitments {
        for (word, when) in [("due", c.due), ("lapses", c.until)] {
            if let Some(when) = when {
                rows.push((
                    when,
                    1,
                    format!(
                        "<li class=\"due\"><span class=\"when\">{}</span> — <code>{}</code> {word} (now {})</li>\n",
                        time(when),
                        escape(c.id.as_str()),
                        state(c.state)
                    ),
                ));
            }
        }
    }
    if rows.is_empty() {
        out += "<p class=\"none\">No entry concerns it.</p>\n";
        return out + "</section>\n";
    }
    out += "<h4>Timeline</h4>\n<ol class=\"timeline\">\n";
    rows.sort_by_key(|(when, order, _)| (*when, *order));
    for (_, _, row) in rows {
        out += &row;
    }
    out + "</ol>\n</section>\n"
}

fn disputes(r: &Report, names: &BTreeMap<&str, &str>) -> String {
    let mut out = String::from("<h2 id=\"disputes\">Disputes</h2>\n");
    if r.disputes.is_empty() {
        return out + "<p class=\"none\">No allegation is on record.</p>\n";
    }
    let mut seen = BTreeSet::new();
    let all_rulings: Vec<&RulingView> = r
        .obligations
        .iter()
        .flat_map(|v| &v.rulings)
        .filter(|ru| seen.insert(ru.id.clone()))
        .collect();
    for d in &r.disputes {
        let a = &d.allegation;
        let id = escape(a.id.as_str());
        out += &format!(
            "<section class=\"dispute\" id=\"dispute-{id}\"><h3>Allegation <code>{id}</code>: by <code>{}</code> against {} — {}</h3>\n",
            escape(a.by.as_str()),
            accused(a),
            state(a.state),
        );
        out += &format!(
            "<p class=\"text\" dir=\"auto\">{}</p>\n",
            escape(&a.summary)
        );
        out += &format!(
            "<p>Occurred {} at {}; commitments named: {}; finding: {}; decided by ruling: {}.</p>\n",
            time(a.occurred),
            t(&a.location),
            ids(&a.commitments),
            or_dash(a.finding.map(state)),
            or_dash(a.ruling.as_ref().map(|x| escape(x.as_str()))),
        );
        let on: Vec<&RulingView> = all_rulings
            .iter()
            .copied()
            .filter(|ru| ru.allegation == a.id)
            .collect();
        if !on.is_empty() {
            out += "<h4>Rulings</h4>\n";
            out += &rulings(&on);
        }
        out += "<h4>Record</h4>\n<ol class=\"timeline\">\n";
        for &i in &d.lines {
            out += &line_item(&r.lines[i], names, &BTreeMap::new());
        }
        out += "</ol>\n</section>\n";
    }
    out
}

fn head(r: &Report) -> String {
    let expect = format!("{}:{}", r.head.seq, r.head.hash.to_hex());
    format!(
        "<h2 id=\"head\">The ledger head and how to verify it</h2>\n\
<p>This report covers entries 0 to {seq}. Entry {seq} has the hash</p>\n<pre><code>{hash}</code></pre>\n\
<p>Every entry commits to the one before it, so this hash fixes the whole history shown here. \
To check that your own copy of the ledger holds exactly this history, with every signature and rule \
re-checked, run (exit 0: it does):</p>\n<pre><code>accord verify --expect-head {expect}</code></pre>\n\
<p>Ledger id: <code>{id}</code>.</p>\n",
        seq = r.head.seq,
        hash = r.head.hash.to_hex(),
        id = escape(&r.ledger_id),
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_controls_are_escaped() {
        assert_eq!(
            escape("<script>alert('x&y')</script>\"\u{1b}\u{0}\n"),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;\u{FFFD}\u{FFFD}\n"
        );
        // A right-to-left override or isolate cannot reorder what follows.
        assert_eq!(
            escape("a\u{202E}b\u{2067}c\u{2069}\u{200F}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{200F}"
        );
    }
}
