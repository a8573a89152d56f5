//! Paths taken from recording files (`media.hls.path`, `media.hls.playlist`,
//! `media.hls.renditions[].path` / `.playlist`, the variant URIs of the multivariant
//! playlist) are read below the recording prefix, and the preview page points its video
//! at one of them. They must stay inside it, local or `s3://`: a path is accepted only
//! when it is relative and made of segments of the URL-unreserved characters
//! `A-Z a-z 0-9 - . _ ~`, none of them `.` or `..` (a trailing `/` is allowed).
//!
//! That refuses `..` and absolute paths, and everything a file system or a browser
//! could read as one: `\` (a separator in URLs), `%2e%2e` (a browser decodes it to
//! `..`), `?`, `#`, `:` (a URL scheme). IVS writes names such as `media/hls`,
//! `720p60` and `playlist.m3u8`, all accepted.

/// Checks one path; `Err` says what is wrong (the caller names the field and value).
pub fn check_inside(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        return Err("a relative path, found an absolute one".to_owned());
    }
    let body = path.strip_suffix('/').unwrap_or(path);
    if body.is_empty() {
        return Ok(());
    }
    for segment in body.split('/') {
        match segment {
            "" => return Err("a path without empty segments (`//`)".to_owned()),
            "." | ".." => {
                return Err(format!(
                    "a path inside the recording, found a `{segment}` segment"
                ))
            }
            s => {
                if let Some(c) = s
                    .chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
                {
                    return Err(format!(
                        "a path of the characters A-Z a-z 0-9 - . _ ~ and `/`, found {c:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ivs_names_and_refuses_what_leaves_the_prefix() {
        for ok in [
            "media/hls",
            "media/hls/",
            "720p60",
            "playlist.m3u8",
            "a_b-c~d.e",
            "",
        ] {
            assert_eq!(check_inside(ok), Ok(()), "{ok}");
        }
        for bad in [
            "../../../../etc",
            "media/../../x",
            "./x",
            "/etc",
            "..\\..\\etc",
            "%2e%2e/x",
            "a//b",
            "http://evil/x.m3u8",
            "x?y",
            "x#y",
            "m\u{e9}dia",
        ] {
            assert!(check_inside(bad).is_err(), "{bad}");
        }
        assert!(check_inside("a/../b").unwrap_err().contains("`..`"));
    }
}
