//! Link rules: URLs (`https://…`, `www.…`) and bare domains (`example.com/x`) with
//! domain allow and deny lists (a listed domain covers its subdomains).

use regex::Regex;

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

fn clean_domain(d: &str) -> String {
    d.trim()
        .trim_start_matches("*.")
        .trim_matches('.')
        .to_ascii_lowercase()
}

fn covered(host: &str, list: &[String]) -> bool {
    list.iter().any(|d| {
        host == d
            || host
                .strip_suffix(d.as_str())
                .is_some_and(|p| p.ends_with('.'))
    })
}

/// The host part of a matched link, lower-cased.
fn host_of(link: &str) -> String {
    let rest = link.split_once("://").map_or(link, |(_, r)| r);
    let rest = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = rest.split(':').next().unwrap_or(rest);
    host.trim_end_matches('.').to_ascii_lowercase()
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
            r#"(?i)(?-u:\b)(?:[a-z][a-z0-9+.-]*://[^\s<>"]+|www\.[^\s<>"]+|(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS})(?-u:\b)(?:[/?#:][^\s<>"]*)?)"#
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
            allow: allow.iter().map(|d| clean_domain(d)).collect(),
            deny: deny.iter().map(|d| clean_domain(d)).collect(),
            block_all,
        })
    }

    /// Byte ranges of offending links in `text`.
    pub fn find(&self, text: &str) -> Vec<(usize, usize)> {
        self.re
            .find_iter(text)
            .filter(|m| {
                let host = host_of(m.as_str());
                if covered(&host, &self.allow) {
                    return false;
                }
                self.block_all || covered(&host, &self.deny)
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
}
