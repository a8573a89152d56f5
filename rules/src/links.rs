//! Link rules: URLs (`https://…`, `www.…`) and bare domains (`example.com/x`) with
//! domain allow and deny lists (a listed domain covers its subdomains). The host of a
//! link is what a browser would resolve (WHATWG URL parsing, see [`host_of`]), not a
//! textual split, so `\\`, userinfo, percent-encoding, IDNA and IPv4 spellings cannot
//! disguise it.

use regex::Regex;
use url::{Host, Url};

use crate::error::Location;
use crate::RulesError;

/// Top-level domains recognised in bare domains (URLs with a scheme or `www.` match any).
const TLDS: &str = "com|net|org|io|gg|tv|me|co|uk|us|ca|de|fr|es|it|nl|ru|cn|jp|br|in|au|info|biz|xyz|app|dev|ly|to|be|live|online|site|store|shop|club|link|click|top|win|vip|pro|cc|ws|su|tk|ml|ga|cf|gq|eu|ch|se|no|fi|pl|cz|at|kr|tw|hk|sg|mx|ar|gov|edu|fm|am|sh|ai|so|lol|fun|pw|bit|zip|mov";

/// Compiled link matcher.
#[derive(Debug, Clone)]
pub(crate) struct LinkMatcher {
    re: Regex,
    allow: Vec<String>,
    deny: Vec<String>,
    block_all: bool,
}

/// A list entry (`*.example.com`, `Example.COM.`, `bücher.de`, `127.0.0.1`) in the form
/// [`host_of`] gives hosts: the same WHATWG host parser, so both sides compare alike.
fn clean_domain(d: &str, at: &Location) -> Result<String, RulesError> {
    let d = d.trim().trim_start_matches("*.").trim_matches('.');
    Host::parse(d)
        .map(|h| canonical(&h))
        .map_err(|e| RulesError::Invalid {
            at: at.clone(),
            message: format!("`{d}` in `allow_domains`/`deny_domains` is not a host name ({e}; expected e.g. example.com)"),
        })
}

/// Lower-case host text without a trailing dot; IPv4 as four decimals, IPv6 in brackets.
fn canonical<S: AsRef<str>>(host: &Host<S>) -> String {
    match host {
        Host::Domain(d) => d.as_ref().trim_end_matches('.').to_ascii_lowercase(),
        Host::Ipv4(a) => a.to_string(),
        Host::Ipv6(a) => format!("[{a}]"),
    }
}

fn covered(host: &str, list: &[String]) -> bool {
    list.iter().any(|d| {
        host == d
            || host
                .strip_suffix(d.as_str())
                .is_some_and(|p| p.ends_with('.'))
    })
}

/// The host a browser goes to for a matched link, by the WHATWG URL rules (the `url`
/// crate): in `http(s)`/`ws(s)`/`ftp`/`file` links `\` is a path separator
/// (`https://evil.com\@twitch.tv` goes to `evil.com`), userinfo before the last `@` of
/// the authority is not the host, the host is percent-decoded and IDNA-mapped (fullwidth
/// letters, `。`, upper case), an IPv4 address in any notation (`0x7f.1`, `2130706433`)
/// becomes dotted decimal; then [`canonical`]. Links without a scheme (`www.…`,
/// `example.com/x`) are read as `http://`. `None` when there is no valid host: such a
/// link is treated as not allow-listed (fail closed).
fn host_of(link: &str) -> Option<String> {
    let parsed = if has_scheme(link) {
        Url::parse(link)
    } else {
        Url::parse(&format!("http://{link}"))
    };
    parsed.ok()?.host().map(|h| canonical(&h))
}

/// Whether `link` starts with a scheme (a letter, then letters, digits, `+`, `.`, `-`)
/// followed by `:` and two slashes, either way round (the regex's first alternative).
fn has_scheme(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, rest)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
            && rest
                .bytes()
                .take(2)
                .filter(|b| matches!(b, b'/' | b'\\'))
                .count()
                == 2
    })
}

impl LinkMatcher {
    /// `block_all`: fire on every link not allow-listed; else only on deny-listed ones.
    pub fn compile(
        allow: &[String],
        deny: &[String],
        block_all: bool,
        at: &Location,
    ) -> Result<LinkMatcher, RulesError> {
        let pattern = format!(
            r#"(?i)(?-u:\b)(?:[a-z][a-z0-9+.-]*:[/\\]{{2}}[^\s<>"]+|www\.[^\s<>"]+|(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS})(?-u:\b)(?:[/?#:][^\s<>"]*)?)"#
        );
        let re = Regex::new(&pattern).map_err(|e| RulesError::Invalid {
            at: at.clone(),
            message: format!("internal link pattern: {e}"),
        })?;
        if !block_all && deny.is_empty() {
            return Err(RulesError::Invalid {
                at: at.clone(),
                message: "links rule with `block = \"listed\"` needs `deny_domains`".into(),
            });
        }
        Ok(LinkMatcher {
            re,
            allow: allow
                .iter()
                .map(|d| clean_domain(d, at))
                .collect::<Result<_, _>>()?,
            deny: deny
                .iter()
                .map(|d| clean_domain(d, at))
                .collect::<Result<_, _>>()?,
            block_all,
        })
    }

    /// Byte ranges of offending links in `text`.
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        self.re
            .find_iter(text)
            .filter(|m| match host_of(m.as_str()) {
                Some(host) if covered(&host, &self.allow) => false,
                Some(host) => self.block_all || covered(&host, &self.deny),
                None => true,
            })
            .map(|m| (m.start(), m.end()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(m: &LinkMatcher, t: &str) -> Vec<String> {
        m.find(t)
            .into_iter()
            .map(|(a, b)| t[a..b].to_string())
            .collect()
    }

    #[test]
    fn detects_urls_and_bare_domains() {
        let m = LinkMatcher::compile(&[], &[], true, &Location::default()).unwrap();
        assert_eq!(
            found(&m, "see https://x.test/a?b=1 now"),
            vec!["https://x.test/a?b=1"]
        );
        assert_eq!(found(&m, "go to www.foo.bar"), vec!["www.foo.bar"]);
        assert_eq!(found(&m, "visit example.com/x."), vec!["example.com/x."]);
        assert!(found(&m, "e.g. this is fine... ok.").is_empty());
    }

    #[test]
    fn allow_and_deny_cover_subdomains() {
        let allow = vec!["twitch.tv".to_string()];
        let m = LinkMatcher::compile(&allow, &[], true, &Location::default()).unwrap();
        assert!(found(&m, "clips.twitch.tv/abc and twitch.tv").is_empty());
        assert_eq!(found(&m, "nottwitch.tv"), vec!["nottwitch.tv"]);
        let deny = vec!["bad.com".to_string()];
        let m = LinkMatcher::compile(&[], &deny, false, &Location::default()).unwrap();
        assert_eq!(
            found(&m, "http://a.bad.com/x good.com"),
            vec!["http://a.bad.com/x"]
        );
    }

    fn deny_evil() -> LinkMatcher {
        let deny = vec!["evil.com".to_string(), "127.0.0.1".to_string()];
        LinkMatcher::compile(&[], &deny, false, &Location::default()).unwrap()
    }

    fn allow_twitch() -> LinkMatcher {
        let allow = vec!["twitch.tv".to_string()];
        LinkMatcher::compile(&allow, &[], true, &Location::default()).unwrap()
    }

    /// Issue 15 finding 7: each spelling resolves (WHATWG) to a deny-listed host and must
    /// fire both as deny-listed and as not allow-listed.
    #[test]
    fn disguised_hosts_are_what_a_browser_resolves() {
        for (shape, link) in [
            (
                "backslash before userinfo",
                r"https://evil.com\@twitch.tv/x",
            ),
            ("backslashes after the scheme", r"https:\\evil.com\x"),
            ("mixed slashes after the scheme", r"https:/\evil.com/x"),
            ("userinfo", "https://twitch.tv@evil.com/x"),
            (
                "userinfo with password and port",
                "https://twitch.tv:pw@evil.com:8080/",
            ),
            ("percent-encoded dot", "https://evil%2Ecom/x"),
            (
                "percent-encoded subdomain dot",
                "https://twitch.tv%2eevil.com/",
            ),
            ("fullwidth letters", "https://ｅｖｉｌ.com/x"),
            ("ideographic full stop", "https://evil。com/x"),
            ("upper case", "HTTPS://EVIL.COM/X"),
            ("trailing dot", "https://evil.com./x"),
            ("port", "https://evil.com:443/x"),
            ("hex IPv4", "http://0x7f.1/"),
            ("decimal IPv4", "http://2130706433/"),
            ("octal IPv4", "http://0177.0.0.1/"),
            ("protocol-relative", "//evil.com/x"),
            ("www with backslash", r"www.evil.com\@twitch.tv"),
            ("subdomain", "https://cdn.evil.com/x"),
        ] {
            let text = format!("see {link} now");
            assert!(
                !deny_evil().find(&text).is_empty(),
                "deny list, {shape}: {link}"
            );
            assert!(
                !allow_twitch().find(&text).is_empty(),
                "allow list, {shape}: {link}"
            );
        }
    }

    #[test]
    fn hosts_a_browser_resolves_to_an_allowed_domain_stay_allowed() {
        for link in [
            "https://evil.com@twitch.tv/x",
            r"https://twitch.tv\@evil.com",
            "https://twitch.tv/?u=evil.com",
            "https://CLIPS.Twitch.TV./x",
            "https://ｔｗｉｔｃｈ.tv/x",
        ] {
            let text = format!("see {link} now");
            assert!(allow_twitch().find(&text).is_empty(), "{link}");
            assert!(deny_evil().find(&text).is_empty(), "{link}");
        }
    }

    #[test]
    fn links_without_a_valid_host_fail_closed() {
        for link in [
            "https://twitch.tv%2fevil.com/",
            "https://evil.com%40twitch.tv/",
            "https://twitch.tv:99999/",
        ] {
            let text = format!("see {link} now");
            assert_eq!(found(&allow_twitch(), &text), vec![link], "{link}");
            assert_eq!(found(&deny_evil(), &text), vec![link], "{link}");
        }
    }

    #[test]
    fn list_entries_are_parsed_like_hosts() {
        let allow = vec!["*.Bücher.DE.".to_string(), "2130706433".to_string()];
        let m = LinkMatcher::compile(&allow, &[], true, &Location::default()).unwrap();
        assert!(m
            .find("https://www.xn--bcher-kva.de/x http://127.0.0.1/")
            .is_empty());
        let bad = vec!["not a host".to_string()];
        let err = LinkMatcher::compile(&bad, &[], true, &Location::default()).unwrap_err();
        assert!(err.to_string().contains("not a host"), "{err}");
    }
}
