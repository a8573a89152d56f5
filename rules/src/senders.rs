//! Sender rules: match by `Sender.UserId`, by IP/CIDR on `Sender.Ip`, or by values of
//! `Sender.Attributes` (e.g. `role = "moderator|broadcaster"`).

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::ivs::Sender;

/// Compiled sender matcher: fires when any listed criterion matches.
#[derive(Debug, Clone, Default)]
pub(crate) struct SenderMatcher {
    pub user_ids: Vec<String>,
    pub nets: Vec<IpNet>,
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// Parses `1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32` or a bare IPv6 address.
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

impl SenderMatcher {
    /// Whether a criterion is set (a rule without one is a load error).
    pub fn is_empty(&self) -> bool {
        self.user_ids.is_empty() && self.nets.is_empty() && self.attributes.is_empty()
    }

    /// Whether `sender` matches.
    pub fn matches(&self, sender: &Sender) -> bool {
        if self.user_ids.contains(&sender.user_id) {
            return true;
        }
        if !self.nets.is_empty() {
            if let Ok(ip) = sender.ip.trim().parse::<IpAddr>() {
                if self.nets.iter().any(|n| n.contains(&ip)) {
                    return true;
                }
            }
        }
        self.attributes.iter().any(|(k, vals)| {
            sender
                .attributes
                .get(k)
                .is_some_and(|v| vals.iter().any(|x| x == v))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(user: &str, ip: &str, role: Option<&str>) -> Sender {
        Sender {
            user_id: user.into(),
            ip: ip.into(),
            attributes: role
                .map(|r| [("role".to_string(), r.to_string())].into())
                .unwrap_or_default(),
        }
    }

    #[test]
    fn by_user_ip_cidr_and_attribute() {
        let m = SenderMatcher {
            user_ids: vec!["bad-user".into()],
            nets: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]
                .iter()
                .filter_map(|s| parse_net(s))
                .collect(),
            attributes: [(
                "role".to_string(),
                vec!["moderator".to_string(), "broadcaster".to_string()],
            )]
            .into(),
        };
        assert!(m.matches(&sender("bad-user", "", None)));
        assert!(m.matches(&sender("u", "203.0.113.99", None)));
        assert!(m.matches(&sender("u", "2001:db8::1", None)));
        assert!(m.matches(&sender("u", "198.51.100.7", None)));
        assert!(!m.matches(&sender("u", "198.51.100.8", None)));
        assert!(m.matches(&sender("u", "not-an-ip", Some("broadcaster"))));
        assert!(!m.matches(&sender("u", "", Some("viewer"))));
        assert!(parse_net("300.1.1.1").is_none());
    }
}
