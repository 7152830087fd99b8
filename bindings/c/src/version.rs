//! Library version, as `#define`s and at run time.
//!
//! cbindgen cannot evaluate `env!`, so the numbers are literals; the
//! assertions below fail the build if they drift from Cargo.toml's version.

use core::ffi::{CStr, c_char};

/// Major version of the library this header belongs to.
pub const WSFRAME_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const WSFRAME_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const WSFRAME_VERSION_PATCH: u32 = 0;

/// Whether `s` is the decimal `n`.
const fn is(s: &str, n: u32) -> bool {
    matches!(u32::from_str_radix(s, 10), Ok(v) if v == n)
}

const _: () = assert!(
    is(env!("CARGO_PKG_VERSION_MAJOR"), WSFRAME_VERSION_MAJOR)
        && is(env!("CARGO_PKG_VERSION_MINOR"), WSFRAME_VERSION_MINOR)
        && is(env!("CARGO_PKG_VERSION_PATCH"), WSFRAME_VERSION_PATCH),
    "update WSFRAME_VERSION_* to Cargo.toml's version"
);

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("version contains a NUL"),
    };

/// The library's version, "MAJOR.MINOR.PATCH", as a static string. Compare
/// with `WSFRAME_VERSION_STRING` to catch a header/library mismatch.
///
/// # Safety
///
/// None: no arguments.
///
/// # Examples
///
/// ```c
/// if (strcmp(wsframe_version(), WSFRAME_VERSION_STRING) != 0)
///     fprintf(stderr, "wsframe.h is %s but the library %s\n", WSFRAME_VERSION_STRING, wsframe_version());
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_version() -> *const c_char {
    VERSION.as_ptr()
}
