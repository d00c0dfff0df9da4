//! The mock's origin as REST steps name it, and the quick way to tell a URI aimed at it.
//!
//! Almost every REST step of a workflow calls the mock (`{{{variables.baseUrl}}}/v1/...`),
//! and parsing each URI as a URL was a sixtieth of a workflow burst's CPU. A URI that is
//! the origin followed by a path made only of characters URL parsing leaves as they are
//! is the request target itself; any other URI is parsed.

/// The mock's `scheme://host:port`, and the `Host` header a request to it carries.
#[derive(Debug, Clone, Default)]
pub struct MockOrigin {
    origin: String,
    host: String,
}

impl MockOrigin {
    /// The origin of the mock's base URL (`http://127.0.0.1:<port>`).
    pub fn of(base_url: &str) -> MockOrigin {
        let Ok(url) = reqwest::Url::parse(base_url) else {
            return MockOrigin::default();
        };
        MockOrigin {
            origin: origin(&url),
            host: host(&url),
        }
    }

    /// `scheme://host:port`, the port written even when it is the scheme's default.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// What a request to the mock sends as `Host` (no port when it is the default).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path and query of `uri` when it is the origin followed by a path that URL
    /// parsing would leave unchanged (no dot segments, no characters it would encode);
    /// `None` means "parse it".
    pub fn target_of<'u>(&self, uri: &'u str) -> Option<&'u str> {
        if self.origin.is_empty() {
            return None;
        }
        let target = uri.strip_prefix(self.origin.as_str())?;
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        let path_ok = path.starts_with('/')
            && path.bytes().all(|b| b == b'/' || unreserved(b))
            && path
                .split('/')
                .all(|segment| segment != "." && segment != "..");
        let query_ok =
            query.is_none_or(|q| q.bytes().all(|b| b == b'=' || b == b'&' || unreserved(b)));
        (path_ok && query_ok).then_some(target)
    }
}

/// RFC 3986's unreserved characters: no URL parser changes them.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `scheme://host:port`: what tells a request aimed at the mock from one to another host.
pub fn origin(url: &reqwest::Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// The `Host` header of a request to `url`, as reqwest writes it.
pub fn host(url: &reqwest::Url) -> String {
    match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    }
}

/// The origin-form target of a parsed URL: its path and query.
pub fn target(url: &reqwest::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the slow path makes of `uri`: (origin, host, target).
    fn parsed(uri: &str) -> Option<(String, String, String)> {
        let url = reqwest::Url::parse(uri).ok()?;
        Some((origin(&url), host(&url), target(&url)))
    }

    #[test]
    fn a_quick_target_is_what_parsing_the_uri_gives() {
        for base in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:80",
            "http://localhost:3000/",
        ] {
            let mock = MockOrigin::of(base);
            let origin = mock.origin().to_string();
            let mut quick = 0;
            for rest in [
                "/v1/conversations/64a0c0ffee0000000000beef",
                "/v1/conversations?page=2&pageSize=100",
                "/v1/customers/x.y_z~-1",
                "/",
                "//double//slashes/",
                "/v1/a.b/..c/c..",
                "?q=1",
                "/v1/./conversations",
                "/v1/../conversations",
                "/v1/x/..",
                "/v1/x/.",
                "/v1/with space",
                "/v1/%2e%2e/x",
                "/v1/Ünïcode",
                "/v1/x?q=a b",
                "/v1/x?q=%zz",
                "/v1/x#fragment",
                "/v1/x\\y",
                "1/v1/x",
                ":9/v1/x",
                "@evil/v1",
                "",
            ] {
                let uri = format!("{origin}{rest}");
                let Some(target) = mock.target_of(&uri) else {
                    continue;
                };
                quick += 1;
                let (their_origin, their_host, their_target) =
                    parsed(&uri).expect("a quick target is a URL");
                assert_eq!(their_origin, origin, "{uri}");
                assert_eq!(their_host, mock.host(), "{uri}");
                assert_eq!(their_target, target, "{uri}");
            }
            assert_eq!(quick, 6, "the plain ones go the quick way ({base})");
        }
    }

    #[test]
    fn other_hosts_and_lookalike_ports_are_parsed() {
        let mock = MockOrigin::of("http://127.0.0.1:8080");
        assert_eq!(mock.host(), "127.0.0.1:8080");
        assert_eq!(MockOrigin::of("http://127.0.0.1:80").host(), "127.0.0.1");
        for uri in [
            "http://127.0.0.1:80801/v1/conversations",
            "http://127.0.0.1:8080.evil/v1",
            "https://127.0.0.1:8080/v1",
            "HTTP://127.0.0.1:8080/v1",
            "http://localhost:8080/v1",
            "http://127.0.0.1:8080",
        ] {
            assert_eq!(mock.target_of(uri), None, "{uri}");
        }
        assert_eq!(MockOrigin::of("not a url").target_of("not a url/v1"), None);
    }
}
