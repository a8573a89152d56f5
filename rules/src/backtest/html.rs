//! The self-contained HTML report (`--html`): decisions over time (inline SVG), top
//! rules, the diff table, the moderator-agreement figures and samples. No script, no
//! network, no external font or style; everything from chat (and rule ids, room names,
//! file names) is HTML-escaped.

use std::fmt::Write;

use super::diff::ChangeKind;
use super::report::{format_time, Counts, Report, Sample};
use crate::action::Verdict;

/// Rows shown in the rules and rooms tables (the JSON report has them all).
pub const MAX_TABLE_ROWS: usize = 50;

/// Bars drawn in the time chart: past this many hours, bars are days.
pub const MAX_HOUR_BARS: usize = 24 * 14;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}.fig{display:inline-block;margin:0 2em 1em 0}
.fig b{display:block;font-size:1.6em}.deny{fill:#c0392b}.rewrite{fill:#e67e22}.tag{fill:#2980b9}
.key span{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle}
code{background:#f4f4f4;padding:0 .2em}.muted{color:#777}";

/// Renders the report as one HTML document.
pub fn render(r: &Report) -> String {
    let mut h = String::with_capacity(64 << 10);
    let title = format!("Backtest of {}", escape(&r.pack.label));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head>\n<body data-messages=\"{}\" data-unread=\"{}\">\n<h1>{title}</h1>\n",
        r.totals.messages, r.inputs.unread.total
    );
    overview(&mut h, r);
    timeline(&mut h, r);
    rules(&mut h, r);
    diff(&mut h, r);
    agreement(&mut h, r);
    rooms(&mut h, r);
    inputs(&mut h, r);
    h.push_str("</body></html>\n");
    h
}

fn fig(h: &mut String, label: &str, value: impl std::fmt::Display) {
    let _ = write!(
        h,
        "<div class=\"fig\"><b>{value}</b>{}</div>",
        escape(label)
    );
}

fn pct(n: u64, of: u64) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

fn overview(h: &mut String, r: &Report) {
    let t = &r.totals;
    let span = match (r.first_ns, r.last_ns) {
        (Some(a), Some(b)) => format!("{} – {}", format_time(a), format_time(b)),
        _ => "no messages".into(),
    };
    let _ = write!(
        h,
        "<p>Packs: {}{}. Messages {}. Read from {} source(s).</p>\n<div id=\"totals\">",
        escape(&r.pack.packs.join(", ")),
        r.against.as_ref().map_or(String::new(), |a| format!(
            " (against <code>{}</code>: {})",
            escape(&a.label),
            escape(&a.packs.join(", "))
        )),
        escape(&span),
        r.inputs.sources_total
    );
    fig(h, "messages evaluated", t.messages);
    fig(h, "would deny", t.deny);
    fig(h, "would rewrite", t.rewrite);
    fig(h, "would tag", t.tag);
    fig(h, "records not readable", r.inputs.unread.total);
    h.push_str("</div>\n");
}

/// Decisions per hour (per day past [`MAX_HOUR_BARS`] hours) as stacked bars.
fn timeline(h: &mut String, r: &Report) {
    let mut bars: Vec<(String, Counts)> = Vec::new();
    let by_day = r.hours.len() > MAX_HOUR_BARS;
    for (k, c) in &r.hours {
        let key = if by_day {
            k.get(..10).unwrap_or(k).to_string()
        } else {
            k.clone()
        };
        match bars.last_mut() {
            Some((last, sum)) if *last == key => sum.absorb(c),
            _ => bars.push((key, *c)),
        }
    }
    let _ = write!(
        h,
        "<h2>Decisions over time (per {})</h2>\n<p class=\"key\"><span class=\"deny\" style=\"background:#c0392b\"></span>deny<span style=\"background:#e67e22\"></span>rewrite<span style=\"background:#2980b9\"></span>tag</p>\n",
        if by_day { "day" } else { "hour" }
    );
    let (w, ht, pad) = (1000.0f64, 220.0f64, 30.0f64);
    let max = bars
        .iter()
        .map(|(_, c)| c.deny + c.rewrite + c.tag)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bw = (w - pad) / bars.len().max(1) as f64;
    let _ = write!(
        h,
        "<svg id=\"chart-time\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-label=\"decisions over time\">\n<text x=\"0\" y=\"12\" font-size=\"11\">{max}</text><line x1=\"{pad}\" y1=\"{ht}\" x2=\"{w}\" y2=\"{ht}\" stroke=\"#999\"/>\n",
        ht + 20.0,
        ht + 20.0
    );
    for (i, (key, c)) in bars.iter().enumerate() {
        let x = pad + i as f64 * bw;
        let mut y = ht;
        for (v, n) in [
            (Verdict::Deny, c.deny),
            (Verdict::Rewrite, c.rewrite),
            (Verdict::Tag, c.tag),
        ] {
            if n == 0 {
                continue;
            }
            let bh = n as f64 / max * (ht - 20.0);
            y -= bh;
            let _ = write!(
                h,
                "<rect class=\"{v}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{} {v}: {n}</title></rect>",
                (bw * 0.9).max(0.5),
                escape(key)
            );
        }
    }
    if let (Some((first, _)), Some((last, _))) = (bars.first(), bars.last()) {
        let _ = write!(
            h,
            "\n<text x=\"{pad}\" y=\"{}\" font-size=\"11\">{}</text><text x=\"{w}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            ht + 15.0,
            escape(first),
            ht + 15.0,
            escape(last)
        );
    }
    h.push_str("</svg>\n");
}

fn samples_cell(h: &mut String, samples: &[Sample]) {
    h.push_str("<td>");
    for s in samples {
        let _ = write!(
            h,
            "<div><code>{}</code> {} {}",
            escape(&s.message_id),
            escape(&s.room),
            format_time(s.send_time_ns)
        );
        if let Some(c) = &s.content {
            let _ = write!(h, ": “{}”", escape(c));
        }
        if let Some(d) = &s.delivered {
            let _ = write!(h, " → “{}”", escape(d));
        }
        h.push_str("</div>");
    }
    h.push_str("</td>");
}

fn rules(h: &mut String, r: &Report) {
    let mut top: Vec<_> = r.rules.iter().collect();
    top.sort_by(|a, b| {
        b.1.fired
            .messages
            .cmp(&a.1.fired.messages)
            .then(a.0.cmp(b.0))
    });
    let max = top.first().map_or(1, |(_, s)| s.fired.messages.max(1)) as f64;
    let shown = top.len().min(MAX_TABLE_ROWS);
    let _ = write!(
        h,
        "<h2>Top rules</h2>\n<svg id=\"chart-rules\" xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"{}\" role=\"img\" aria-label=\"top rules\">",
        shown.min(15) * 18 + 4
    );
    for (i, (id, s)) in top.iter().take(15).enumerate() {
        let y = i * 18;
        let _ = write!(
            h,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect class=\"deny\" x=\"260\" y=\"{}\" width=\"{:.1}\" height=\"13\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>",
            y + 13,
            escape(id),
            y + 2,
            s.fired.messages as f64 / max * 460.0,
            265.0 + s.fired.messages as f64 / max * 460.0,
            y + 13,
            s.fired.messages
        );
    }
    h.push_str("</svg>\n<table id=\"rules\"><tr><th>rule</th><th>action</th><th>category</th><th>fired</th><th>denied</th><th>rewritten</th><th>tagged</th><th>samples</th></tr>\n");
    for (id, s) in top.iter().take(MAX_TABLE_ROWS) {
        let _ = write!(
            h,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            escape(id),
            if s.shadow { " <span class=\"muted\">(shadow)</span>" } else { "" },
            s.action,
            escape(s.category.as_deref().unwrap_or("")),
            s.fired.messages,
            s.fired.deny,
            s.fired.rewrite,
            s.fired.tag
        );
        samples_cell(h, &s.samples);
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    if top.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{} more rules in the JSON report.</p>",
            top.len() - MAX_TABLE_ROWS
        );
    }
    h.push_str("<h2>Categories</h2>\n<table id=\"categories\"><tr><th>category</th><th>messages</th><th>denied</th><th>rewritten</th><th>tagged</th></tr>\n");
    for (c, n) in &r.categories {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(c),
            n.messages,
            n.deny,
            n.rewrite,
            n.tag
        );
    }
    h.push_str("</table>\n");
}

fn diff(h: &mut String, r: &Report) {
    let (Some(d), Some(a)) = (&r.diff, &r.against) else {
        return;
    };
    let _ = write!(
        h,
        "<h2>Differences against <code>{}</code></h2>\n<div id=\"diff-totals\">",
        escape(&a.label)
    );
    fig(h, "newly blocked", d.newly_blocked);
    fig(h, "newly passing", d.newly_passing);
    fig(h, "rewrite changed", d.changed_rewrite);
    h.push_str("</div>\n<table id=\"diff\"><tr><th>rule</th>");
    for k in ChangeKind::ALL {
        let _ = write!(h, "<th>{}</th>", k.as_str().replace('_', " "));
    }
    h.push_str("</tr>\n");
    for (id, c) in &d.by_rule {
        let _ = write!(h, "<tr><td><code>{}</code></td>", escape(id));
        for k in ChangeKind::ALL {
            let _ = write!(h, "<td class=\"n\">{}</td>", c.of(k));
        }
        h.push_str("</tr>\n");
    }
    let _ = write!(
        h,
        "</table>\n<table id=\"changes\"><tr><th>time</th><th>room</th><th>message</th><th>change</th><th>before → after</th><th>rules</th><th>text</th></tr>\n"
    );
    for c in &d.changes {
        let text = match (&c.content, &c.before_content, &c.after_content) {
            (Some(t), Some(b), Some(a)) if c.kind == ChangeKind::ChangedRewrite => {
                format!("“{}”: “{}” → “{}”", escape(t), escape(b), escape(a))
            }
            (Some(t), _, _) => format!("“{}”", escape(t)),
            _ => String::new(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{} → {}</td><td>{}</td><td>{text}</td></tr>",
            format_time(c.send_time_ns),
            escape(&c.room),
            escape(&c.message_id),
            c.kind.as_str().replace('_', " "),
            c.before,
            c.after,
            escape(&c.rules.join(", "))
        );
    }
    h.push_str("</table>\n");
    let listed = d.changes.len() as u64;
    let all = d.newly_blocked + d.newly_passing + d.changed_rewrite;
    if listed < all {
        let _ = writeln!(
            h,
            "<p class=\"muted\">The earliest {listed} of {all} changes are listed.</p>"
        );
    }
}

fn agreement(h: &mut String, r: &Report) {
    let g = &r.agreement;
    h.push_str("<h2>Agreement with the moderators</h2>\n<table id=\"agreement\"><tr><th></th><th>count</th><th>pack would deny</th><th>pack would rewrite</th></tr>\n");
    let _ = writeln!(
        h,
        "<tr><td>messages moderators deleted</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{} ({})</td></tr>",
        g.deleted,
        g.deleted_denied,
        pct(g.deleted_denied, g.deleted),
        g.deleted_rewritten,
        pct(g.deleted_rewritten, g.deleted)
    );
    let _ = writeln!(
        h,
        "<tr><td>users moderators disconnected</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td></td></tr>",
        g.disconnected_users,
        g.disconnected_caught,
        pct(g.disconnected_caught, g.disconnected_users)
    );
    let _ = write!(
        h,
        "<tr><td>messages that stayed</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{} ({})</td></tr>\n</table>\n",
        g.stayed,
        g.stayed_denied,
        pct(g.stayed_denied, g.stayed),
        g.stayed_rewritten,
        pct(g.stayed_rewritten, g.stayed)
    );
    let _ = write!(
        h,
        "<p class=\"muted\">{} delete(s) of messages not in the input; {} disconnected user(s) with no message in the input.</p>\n<table id=\"samples\"><tr><th>samples</th><th></th></tr>\n<tr><td>deleted, but the pack would deliver</td>",
        g.unmatched_deletes, g.disconnected_without_messages
    );
    samples_cell(h, &g.missed);
    h.push_str("</tr>\n<tr><td>stayed, but the pack would deny</td>");
    samples_cell(h, &g.stayed_blocked);
    h.push_str("</tr>\n</table>\n");
}

fn rooms(h: &mut String, r: &Report) {
    let mut rooms: Vec<_> = r.rooms.iter().collect();
    rooms.sort_by(|a, b| b.1.messages.cmp(&a.1.messages).then(a.0.cmp(b.0)));
    h.push_str("<h2>Rooms</h2>\n<table id=\"rooms\"><tr><th>room</th><th>messages</th><th>denied</th><th>rewritten</th><th>tagged</th></tr>\n");
    for (room, c) in rooms.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(room),
            c.messages,
            c.deny,
            pct(c.deny, c.messages),
            c.rewrite,
            c.tag
        );
    }
    h.push_str("</table>\n");
}

fn inputs(h: &mut String, r: &Report) {
    let i = &r.inputs;
    let _ = write!(
        h,
        "<h2>Inputs</h2>\n<p>{} source(s), {} message(s), {} moderator event(s), {} other record(s); {} record(s) could not be read.</p>\n",
        i.sources_total, i.messages, i.moderator_events, i.other_records, i.unread.total
    );
    h.push_str("<table id=\"unread\"><tr><th>source</th><th>line</th><th>problem</th></tr>\n");
    for u in &i.unread.listed {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&u.source),
            u.line,
            escape(&u.message)
        );
    }
    h.push_str("</table>\n");
    for s in i.sources.iter().filter(|s| s.failed.is_some()) {
        let _ = writeln!(
            h,
            "<p>Source {} failed after {} record(s): {}</p>",
            escape(&s.source),
            s.records,
            escape(s.failed.as_deref().unwrap_or(""))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<b a='1'>\"&"), "&lt;b a=&#39;1&#39;&gt;&quot;&amp;");
    }
}
