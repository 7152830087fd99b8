//! WebSocket extensions: `Sec-WebSocket-Extensions` parsing (RFC 6455 §9.1)
//! and permessage-deflate (RFC 7692).
//!
//! Parsing needs no allocator; the deflate codec in [`deflate`] needs the
//! `alloc` feature.

use core::fmt;

use crate::handshake::headers::Elements;

pub mod deflate;

/// One extension element of a `Sec-WebSocket-Extensions` value: its name
/// and its raw `; param[=value]` list.
///
/// # Examples
///
/// ```
/// use wsframe::extensions::parse_extensions;
///
/// let value = b"permessage-deflate; client_max_window_bits, x-custom";
/// let names: Vec<_> = parse_extensions(value).map(|e| e.name()).collect();
/// assert_eq!(names, ["permessage-deflate", "x-custom"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    name: &'a str,
    params: &'a [u8],
}

impl<'a> Extension<'a> {
    /// The extension's name (a token), e.g. `permessage-deflate`.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = wsframe::extensions::parse_extensions(b"foo; a=1").next().unwrap();
    /// assert_eq!(e.name(), "foo");
    /// ```
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// Its parameters in order. Each is checked as it is read: a name that is
    /// not a token, or a value that is neither a token nor a quoted string,
    /// yields [`ExtensionError::MalformedParameter`].
    ///
    /// # Examples
    ///
    /// ```
    /// let e = wsframe::extensions::parse_extensions(b"foo; a=1; b; c=\"2\"").next().unwrap();
    /// let params: Vec<_> = e.params().map(|p| p.unwrap()).collect();
    /// assert_eq!(params[0].name(), "a");
    /// assert_eq!(params[0].value(), Some(&b"1"[..]));
    /// assert_eq!(params[1].value(), None);
    /// assert_eq!(params[2].value(), Some(&b"2"[..])); // quotes removed
    /// ```
    pub fn params(&self) -> Params<'a> {
        Params { rest: self.params }
    }
}

/// Parses a `Sec-WebSocket-Extensions` value into its elements, skipping
/// empty ones; an element whose name is not a token is skipped too (it cannot
/// name any extension this library knows).
///
/// # Examples
///
/// ```
/// let n = wsframe::extensions::parse_extensions(b" , a ,, b; x ").count();
/// assert_eq!(n, 2);
/// ```
pub fn parse_extensions(value: &[u8]) -> impl Iterator<Item = Extension<'_>> {
    Elements::new(value).filter_map(|element| {
        let (name, params) = match element.iter().position(|&b| b == b';') {
            Some(i) => (element.get(..i)?, element.get(i..)?),
            None => (element, &[][..]),
        };
        let name = core::str::from_utf8(name.trim_ascii()).ok()?;
        is_token(name.as_bytes()).then_some(Extension { name, params })
    })
}

/// One `name[=value]` extension parameter.
///
/// # Examples
///
/// ```
/// let e = wsframe::extensions::parse_extensions(b"x; a; b=2").next().unwrap();
/// let names: Vec<_> = e.params().map(|p| p.unwrap().name()).collect();
/// assert_eq!(names, ["a", "b"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    name: &'a str,
    value: Option<&'a [u8]>,
}

impl<'a> Param<'a> {
    /// The parameter name.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = wsframe::extensions::parse_extensions(b"x; server_no_context_takeover").next().unwrap();
    /// assert_eq!(e.params().next().unwrap().unwrap().name(), "server_no_context_takeover");
    /// ```
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// The value, with surrounding quotes removed (escapes inside a quoted
    /// string are kept as sent), or `None` for a bare parameter.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = wsframe::extensions::parse_extensions(b"x; bits=\"10\"").next().unwrap();
    /// assert_eq!(e.params().next().unwrap().unwrap().value(), Some(&b"10"[..]));
    /// ```
    pub const fn value(&self) -> Option<&'a [u8]> {
        self.value
    }
}

/// Iterator over an [`Extension`]'s parameters.
///
/// # Examples
///
/// ```
/// let e = wsframe::extensions::parse_extensions(b"permessage-deflate; client_max_window_bits")
///     .next()
///     .unwrap();
/// assert_eq!(e.params().count(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Params<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Params<'a> {
    type Item = Result<Param<'a>, ExtensionError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.rest.strip_prefix(b";")?;
            let end = param_end(rest);
            let (param, tail) = rest.split_at_checked(end).unwrap_or((rest, &[]));
            self.rest = tail;
            let param = param.trim_ascii();
            if param.is_empty() {
                continue;
            }
            return Some(parse_param(param).ok_or(ExtensionError::MalformedParameter));
        }
    }
}

/// Where the parameter starting at `s` ends: the next `;` outside quotes.
fn param_end(s: &[u8]) -> usize {
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in s.iter().enumerate() {
        match (quoted, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => quoted = false,
            (false, _, b'"') => quoted = true,
            (false, _, b';') => return i,
            _ => {}
        }
    }
    s.len()
}

fn parse_param(param: &[u8]) -> Option<Param<'_>> {
    let (name, value) = match param.iter().position(|&b| b == b'=') {
        Some(i) => (param.get(..i)?.trim_ascii(), Some(param.get(i + 1..)?.trim_ascii())),
        None => (param, None),
    };
    let name = core::str::from_utf8(name).ok().filter(|n| is_token(n.as_bytes()))?;
    let value = match value {
        None => None,
        Some([b'"', inner @ .., b'"']) => Some(inner),
        Some(v) if is_token(v) => Some(v),
        Some(_) => return None,
    };
    Some(Param { name, value })
}

fn is_token(s: &[u8]) -> bool {
    crate::handshake::headers::is_token(s)
}

/// Why an extension negotiation failed.
///
/// # Examples
///
/// ```
/// use wsframe::extensions::ExtensionError;
///
/// assert_eq!(ExtensionError::UnknownParameter.to_string(), "unknown extension parameter");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtensionError {
    /// A parameter is not `token[=token|quoted-string]`.
    MalformedParameter,
    /// A parameter this extension does not define (RFC 7692 §7.1).
    UnknownParameter,
    /// A parameter appears twice (RFC 7692 §7.1).
    DuplicateParameter,
    /// A parameter's value is missing, present where none is allowed, or out of range.
    InvalidValue,
    /// The server's response uses a parameter the client did not allow
    /// (RFC 7692 §7.1.1.2, §7.1.2.2), or omits one it must include.
    UnexpectedParameter,
    /// The server accepted an extension more than once, or one not offered.
    UnexpectedExtension,
    /// The output buffer is too small.
    InsufficientSize {
        /// Bytes needed.
        required: usize,
    },
}

impl ExtensionError {
    /// A stable identifier in `SCREAMING_SNAKE_CASE`, from which the bindings'
    /// error codes derive.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::ExtensionError;
    ///
    /// assert_eq!(ExtensionError::UnknownParameter.name(), "UNKNOWN_EXTENSION_PARAMETER");
    /// ```
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::MalformedParameter => "MALFORMED_EXTENSION_PARAMETER",
            Self::UnknownParameter => "UNKNOWN_EXTENSION_PARAMETER",
            Self::DuplicateParameter => "DUPLICATE_EXTENSION_PARAMETER",
            Self::InvalidValue => "INVALID_EXTENSION_VALUE",
            Self::UnexpectedParameter => "UNEXPECTED_EXTENSION_PARAMETER",
            Self::UnexpectedExtension => "UNEXPECTED_EXTENSION",
            Self::InsufficientSize { .. } => "INSUFFICIENT_SIZE",
        }
    }
}

impl ExtensionError {
    /// The parameter errors, in the order of the C result codes
    /// (`WSFRAME_RESULT_HANDSHAKE_EXTENSION_*`, from 7224).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::ExtensionError;
    ///
    /// assert_eq!(ExtensionError::ALL[0], ExtensionError::MalformedParameter);
    /// ```
    pub const ALL: [Self; 5] = [
        Self::MalformedParameter,
        Self::UnknownParameter,
        Self::DuplicateParameter,
        Self::InvalidValue,
        Self::UnexpectedParameter,
    ];

    /// A static description, the text of [`fmt::Display`] (usable in `const` context).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::ExtensionError;
    ///
    /// assert_eq!(ExtensionError::InvalidValue.as_str(), "invalid extension parameter value");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::MalformedParameter => "malformed extension parameter",
            Self::UnknownParameter => "unknown extension parameter",
            Self::DuplicateParameter => "duplicate extension parameter",
            Self::InvalidValue => "invalid extension parameter value",
            Self::UnexpectedParameter => "extension response parameter not allowed by the offer",
            Self::UnexpectedExtension => "extension in response was not offered",
            Self::InsufficientSize { .. } => "output buffer too small",
        }
    }
}

impl fmt::Display for ExtensionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for ExtensionError {}
