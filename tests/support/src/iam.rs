//! IAM users on a moto server: SigV4-signed calls of the IAM Query API (moto checks the
//! signature of every request once it enforces IAM).
//!
//! Only what the IAM-enforced tests need: create a user with one inline policy and an
//! access key, and replace that policy. The SigV4 signing here is also what
//! [`crate::CaptureServer`]'s requests are checked against.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SigningInstructions, SigningSettings,
};
use aws_sigv4::sign::v4;

use crate::SupportError;

/// The region IAM calls are signed for (IAM is global; moto accepts any).
const IAM_REGION: &str = "us-east-1";

/// An IAM access key (never a real one: it exists only in one moto server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// `AKIA...`
    pub id: String,
    /// The secret.
    pub secret: String,
}

impl AccessKey {
    /// The static key moto accepts while it does not enforce IAM.
    pub fn unchecked() -> AccessKey {
        AccessKey {
            id: "testing".into(),
            secret: "testing".into(),
        }
    }
}

/// A principal created on the server: its user name and access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The IAM user name.
    pub user: String,
    /// Its access key.
    pub key: AccessKey,
}

/// Calls the IAM Query API of the server at `endpoint`, signed with `key`; returns the
/// XML answer.
pub(crate) fn call(
    endpoint: &str,
    key: &AccessKey,
    action: &str,
    params: &[(&str, &str)],
) -> Result<String, SupportError> {
    let mut body = form_urlencoded(&[("Action", action), ("Version", "2010-05-08")]);
    body.push('&');
    body.push_str(&form_urlencoded(params));
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    signed_post(
        endpoint,
        key,
        (IAM_REGION, "iam"),
        &[("content-type", content_type)],
        body.as_bytes(),
    )
    .map_err(|e| match e {
        SupportError::Http { url, detail } => SupportError::Http {
            url,
            detail: format!("IAM {action}: {detail}"),
        },
        other => other,
    })
}

/// POSTs `body` to `endpoint`/ with `headers` (plus `host`), SigV4-signed with `key` for
/// `(region, service)`; returns the answer's body. A non-2xx answer is an
/// [`SupportError::Http`] whose detail starts with `status <code>: ` and holds the body.
pub(crate) fn signed_post(
    endpoint: &str,
    key: &AccessKey,
    (region, service): (&str, &str),
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<String, SupportError> {
    let url = format!("{endpoint}/");
    let host = endpoint
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let mut signed = vec![("host", host)];
    signed.extend_from_slice(headers);
    let http_err = |detail: String| SupportError::Http {
        url: url.clone(),
        detail,
    };
    let (instructions, _) = sign_request(
        key,
        region,
        service,
        SystemTime::now(),
        "POST",
        &url,
        &signed,
        body,
    )
    .map_err(http_err)?;
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    let mut request = agent.post(&url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    for (name, value) in instructions.headers() {
        request = request.set(name, value);
    }
    match request.send_bytes(body) {
        Ok(r) => r.into_string().map_err(|e| http_err(e.to_string())),
        Err(ureq::Error::Status(code, r)) => Err(http_err(format!(
            "status {code}: {}",
            r.into_string().unwrap_or_default()
        ))),
        Err(e) => Err(http_err(e.to_string())),
    }
}

/// SigV4-signs a request with `key` for `region`/`service` at `time`: the headers to
/// add and the signature (which [`crate::CaptureServer`]'s check recomputes).
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_request(
    key: &AccessKey,
    region: &str,
    service: &str,
    time: SystemTime,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(SigningInstructions, String), String> {
    let identity = aws_credential_types::Credentials::new(
        key.id.clone(),
        key.secret.clone(),
        None,
        None,
        "test-support",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    Ok(sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts())
}

/// Creates user `name` with the inline policy `policy` (a JSON document) and an access key.
pub(crate) fn create_principal(
    endpoint: &str,
    admin: &AccessKey,
    name: &str,
    policy: &str,
) -> Result<Principal, SupportError> {
    call(endpoint, admin, "CreateUser", &[("UserName", name)])?;
    put_policy(endpoint, admin, name, policy)?;
    let xml = call(endpoint, admin, "CreateAccessKey", &[("UserName", name)])?;
    let field = |tag: &str| {
        xml_text(&xml, tag).ok_or_else(|| SupportError::Http {
            url: endpoint.to_string(),
            detail: format!("IAM CreateAccessKey: no <{tag}> in {xml}"),
        })
    };
    Ok(Principal {
        user: name.to_string(),
        key: AccessKey {
            id: field("AccessKeyId")?,
            secret: field("SecretAccessKey")?,
        },
    })
}

/// Replaces the inline policy of user `name` (the one [`create_principal`] attached).
pub(crate) fn put_policy(
    endpoint: &str,
    admin: &AccessKey,
    name: &str,
    policy: &str,
) -> Result<(), SupportError> {
    call(
        endpoint,
        admin,
        "PutUserPolicy",
        &[
            ("UserName", name),
            ("PolicyName", "policy"),
            ("PolicyDocument", policy),
        ],
    )
    .map(|_| ())
}

/// The text of the first `<tag>` element.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].trim().to_string())
}

/// `application/x-www-form-urlencoded` (RFC 3986 unreserved characters kept).
fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_and_xml_fields() {
        assert_eq!(
            form_urlencoded(&[("a b", "{\"x\":\"y/z\"}")]),
            "a%20b=%7B%22x%22%3A%22y%2Fz%22%7D"
        );
        let xml = "<R><AccessKeyId> AKIA1 </AccessKeyId><SecretAccessKey>s</SecretAccessKey></R>";
        assert_eq!(xml_text(xml, "AccessKeyId").as_deref(), Some("AKIA1"));
        assert_eq!(xml_text(xml, "Missing"), None);
    }
}
