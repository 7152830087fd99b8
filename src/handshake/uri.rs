//! `ws` and `wss` URIs (RFC 6455 §3).

use core::fmt;

use super::error::HandshakeError;

/// A parsed `ws://` or `wss://` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WsUri<'a> {
    pub(crate) secure: bool,
    /// Without brackets for IPv6 literals.
    pub(crate) host: &'a str,
    pub(crate) port: u16,
    pub(crate) resource: ResourceName<'a>,
}

impl WsUri<'_> {
    pub(crate) fn default_port(&self) -> u16 {
        if self.secure { 443 } else { 80 }
    }
}

/// The `/resource name/` of a WebSocket URI (RFC 6455 §3): the path, `/` if
/// the path is empty, then `?` and the query if there is one.
///
/// It is kept as two borrowed parts because `ws://host?q` has no contiguous
/// `/?q` to borrow; it compares equal to a `&str` and displays as one string.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::ClientRequest;
///
/// let req = ClientRequest::new("ws://example.com?x=1")?;
/// assert_eq!(req.resource(), "/?x=1");
/// assert_eq!(req.resource().path(), "/");
/// assert_eq!(req.resource().query(), Some("x=1"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceName<'a> {
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> ResourceName<'a> {
    /// Splits `path?query`; an empty path becomes `/`.
    pub(crate) fn from_parts(path_and_query: &'a str) -> Self {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        Self { path, query }
    }

    /// The path; `/` when the URI has none.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// assert_eq!(ClientRequest::new("wss://example.com/chat?room=1")?.resource().path(), "/chat");
    /// assert_eq!(ClientRequest::new("ws://example.com:9001")?.resource().path(), "/");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query, without its `?`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let req = ClientRequest::new("ws://example.com/chat?room=1&lang=en")?;
    /// assert_eq!(req.resource().query(), Some("room=1&lang=en"));
    /// assert_eq!(ClientRequest::new("ws://example.com/chat")?.resource().query(), None);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The length of the resource name in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let resource = ClientRequest::new("ws://example.com/chat?room=1")?.resource();
    /// assert_eq!(resource.len(), "/chat?room=1".len());
    /// // `ws://host?q` has no path: the resource name is `/?q`.
    /// assert_eq!(ClientRequest::new("ws://example.com?q")?.resource().len(), 3);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        let query = self.query.map_or(0, |q| q.len().saturating_add(1));
        self.path.len().saturating_add(query)
    }

    /// Always false: a resource name is at least `/`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let resource = ClientRequest::new("ws://example.com")?.resource();
    /// assert_eq!(resource, "/");
    /// assert!(!resource.is_empty());
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for ResourceName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path)?;
        if let Some(q) = self.query {
            f.write_str("?")?;
            f.write_str(q)?;
        }
        Ok(())
    }
}

impl PartialEq<str> for ResourceName<'_> {
    fn eq(&self, other: &str) -> bool {
        match self.query {
            None => self.path == other,
            Some(q) => {
                other.strip_prefix(self.path).and_then(|rest| rest.strip_prefix('?')) == Some(q)
            }
        }
    }
}

impl PartialEq<&str> for ResourceName<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// Whether `b` may appear in a path or query: visible ASCII. Spaces and
/// controls would break the request line; `#` is handled before this.
fn is_uri_char(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// `unreserved / pct-encoded / sub-delims` of RFC 3986 §3.2.2 (reg-name).
fn is_reg_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&b)
}

/// Parses `ws://host[:port][/path][?query]`, `wss://...` (RFC 6455 §3).
pub(crate) fn parse(uri: &str) -> Result<WsUri<'_>, HandshakeError> {
    let (scheme, rest) = uri.split_once("://").ok_or(HandshakeError::InvalidUri)?;
    let secure = if scheme.eq_ignore_ascii_case("ws") {
        false
    } else if scheme.eq_ignore_ascii_case("wss") {
        true
    } else if !scheme.is_empty()
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err(HandshakeError::UnsupportedScheme);
    } else {
        return Err(HandshakeError::InvalidUri);
    };
    // §3: fragment identifiers are meaningless here; '#' must be escaped as %23.
    if rest.contains('#') {
        return Err(HandshakeError::FragmentInUri);
    }
    if !rest.bytes().all(is_uri_char) {
        return Err(HandshakeError::InvalidUri);
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at_checked(authority_end).unwrap_or((rest, ""));

    let (host, port) = split_host_port(authority)?;
    let default_port = if secure { 443 } else { 80 };
    let port = match port {
        None => default_port,
        Some(p) => parse_port(p)?,
    };

    Ok(WsUri { secure, host, port, resource: ResourceName::from_parts(path_and_query) })
}

/// Splits the authority into host (brackets removed) and port text.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), HandshakeError> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or(HandshakeError::InvalidUri)?;
        let ipv6_ok = host.contains(':')
            && host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !ipv6_ok {
            return Err(HandshakeError::InvalidUri);
        }
        match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(HandshakeError::InvalidUri),
            },
        }
    } else {
        // ws-URI has no userinfo (RFC 6455 §3).
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() || !host.bytes().all(is_reg_name_char) {
            return Err(HandshakeError::InvalidUri);
        }
        Ok((host, port))
    }
}

fn parse_port(port: &str) -> Result<u16, HandshakeError> {
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HandshakeError::InvalidPort);
    }
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(p),
        _ => Err(HandshakeError::InvalidPort),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let u = parse("WSS://Example.com:8443/a/b?c=d&e").unwrap();
        assert!(u.secure);
        assert_eq!(u.host, "Example.com");
        assert_eq!(u.port, 8443);
        assert_eq!(u.resource, "/a/b?c=d&e");
        let u = parse("ws://[::1]").unwrap();
        assert_eq!((u.host, u.port, u.default_port()), ("::1", 80, 80));
        assert_eq!(u.resource, "/");
        let u = parse("ws://h?").unwrap();
        assert_eq!(u.resource, "/?");
        assert_eq!(u.resource.len(), 2);
    }

    #[test]
    fn rejects() {
        use HandshakeError::*;
        for (uri, err) in [
            ("http://h/", UnsupportedScheme),
            ("ws:/h/", InvalidUri),
            ("://h", InvalidUri),
            ("ws:///x", InvalidUri),
            ("ws://u@h/", InvalidUri),
            ("ws://h/a b", InvalidUri),
            ("ws://h/\r\nX: y", InvalidUri),
            ("ws://h/é", InvalidUri),
            ("ws://h/#f", FragmentInUri),
            ("ws://h#", FragmentInUri),
            ("ws://h:/", InvalidPort),
            ("ws://h:0/", InvalidPort),
            ("ws://h:65536/", InvalidPort),
            ("ws://h:+80/", InvalidPort),
            ("ws://h:80a/", InvalidPort),
            ("ws://[::1/", InvalidUri),
            ("ws://[zz]/", InvalidUri),
            ("ws://[::1]x/", InvalidUri),
            ("ws://[::1]:/", InvalidPort),
            ("ws://::1/", InvalidUri),
        ] {
            assert_eq!(parse(uri), Err(err), "{uri}");
        }
    }

    #[test]
    fn resource_equality() {
        let r = ResourceName { path: "/a", query: Some("b") };
        assert!(r == "/a?b");
        assert!(r != "/a");
        assert!(r != "/a?bc");
        assert!(r != "/ab");
        assert_eq!(std::format!("{r}"), "/a?b");
    }
}
