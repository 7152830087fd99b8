//! wsframe through its C ABI (issue 12's "C ÷ Rust" lanes): c/wsframe_c_bench.c
//! on libwsframe.a, the library C programs link.
//!
//! Linking the Rust staticlib into this Rust binary would bring a second
//! copy of std's symbols into one link, so the driver and libwsframe.a are
//! linked by gcc into one shared object with the library's symbols hidden,
//! and that is loaded with dlopen. Inside it, C calls the library directly,
//! as a C program linking libwsframe.a does. The main run builds both (like
//! codesize.rs builds nostd-size); callgrind's `--one` children only load
//! what it built.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::harness::{Case, case};
use crate::io::READ_CAP;

type DecodeFn = unsafe extern "C" fn(*const u8, usize, *mut u8, usize) -> u64;
type EncodeFn = unsafe extern "C" fn(*const u8, usize, usize, *mut u8, usize) -> u64;

struct Driver {
    decode: DecodeFn,
    encode_server: EncodeFn,
    encode_server_many: EncodeFn,
}

/// Why the main run could not build the driver, if it could not.
static BUILD_ERROR: OnceLock<String> = OnceLock::new();
static DRIVER: OnceLock<Result<Driver, String>> = OnceLock::new();

fn root() -> PathBuf {
    crate::repo_root()
}

fn so_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cabi/libwsframe_cbench.so")
}

/// `cargo build --release -p wsframe-c` (what `make c-build` runs, into the
/// same target directory), then gcc. The old driver is removed first, so a
/// failed build can never leave a stale one to be measured.
pub fn build() {
    let so = so_path();
    let _ = std::fs::remove_file(&so);
    if let Err(e) = build_driver(&so) {
        eprintln!("  C ABI rows skipped: {e}");
        let _ = BUILD_ERROR.set(e);
    }
}

fn build_driver(so: &Path) -> Result<(), String> {
    let root = root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--release", "-p", "wsframe-c", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err.lines().find(|l| l.contains("error")).unwrap_or("build failed");
        return Err(format!("cargo build --release -p wsframe-c failed: {line}"));
    }
    std::fs::create_dir_all(so.parent().expect("has a parent")).map_err(|e| e.to_string())?;
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let out = Command::new(cc)
        .args(["-O2", "-std=c11", "-Wall", "-Wextra", "-fPIC", "-shared", "-I"])
        .arg(root.join("include"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("c/wsframe_c_bench.c"))
        .arg(target.join("release/libwsframe.a"))
        // Keep the library's own copy of std out of the process's symbol table.
        .args(["-Wl,--exclude-libs,ALL", "-lpthread", "-ldl", "-lm", "-o"])
        .arg(so)
        .output()
        .map_err(|e| format!("gcc: {e}"))?;
    if !out.status.success() {
        return Err(format!("gcc: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(())
}

unsafe extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlerror() -> *const c_char;
}

fn dl_error() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated string valid until the next dl call.
    let e = unsafe { dlerror() };
    if e.is_null() {
        "unknown dlopen error".into()
    } else {
        // SAFETY: non-NULL, NUL-terminated (above).
        unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
    }
}

fn symbol(handle: *mut c_void, name: &CStr) -> Result<*mut c_void, String> {
    // SAFETY: a handle from dlopen and a NUL-terminated name.
    let p = unsafe { dlsym(handle, name.as_ptr()) };
    if p.is_null() { Err(dl_error()) } else { Ok(p) }
}

fn load() -> Result<Driver, String> {
    if let Some(e) = BUILD_ERROR.get() {
        return Err(e.clone());
    }
    let path = CString::new(so_path().display().to_string()).map_err(|e| e.to_string())?;
    const RTLD_NOW: c_int = 2;
    // SAFETY: a NUL-terminated path; the object is never unloaded.
    let handle = unsafe { dlopen(path.as_ptr(), RTLD_NOW) };
    if handle.is_null() {
        return Err(format!("loading the C driver: {}", dl_error()));
    }
    let decode = symbol(handle, c"wsframe_cbench_decode")?;
    let encode = symbol(handle, c"wsframe_cbench_encode_server")?;
    let many = symbol(handle, c"wsframe_cbench_encode_server_many")?;
    // SAFETY: the symbols are the functions of c/wsframe_c_bench.c, with these signatures.
    Ok(unsafe {
        Driver {
            decode: std::mem::transmute::<*mut c_void, DecodeFn>(decode),
            encode_server: std::mem::transmute::<*mut c_void, EncodeFn>(encode),
            encode_server_many: std::mem::transmute::<*mut c_void, EncodeFn>(many),
        }
    })
}

fn driver() -> Result<&'static Driver, String> {
    DRIVER.get_or_init(load).as_ref().map_err(Clone::clone)
}

/// The 16 B decode lane: the Rust row's read loop, in C.
pub fn decode(input: Rc<Vec<u8>>) -> Result<Box<dyn Case>, String> {
    let f = driver()?.decode;
    let state = (input, vec![0u8; READ_CAP]);
    Ok(case(state, move |(input, buf)| {
        // SAFETY: the pointers and lengths describe live buffers for the call.
        let r = unsafe { f(input.as_ptr(), input.len(), buf.as_mut_ptr(), buf.len()) };
        assert_ne!(r, u64::MAX, "the C ABI failed to decode the input");
        r
    }))
}

/// The 16 B server encode lane: `count` sends into one output buffer, in C,
/// one call per message or (`many`) through `wsframe_conn_send_many`.
pub fn encode_server(
    payload: Rc<Vec<u8>>,
    count: usize,
    many: bool,
) -> Result<Box<dyn Case>, String> {
    let d = driver()?;
    let f = if many { d.encode_server_many } else { d.encode_server };
    let out = vec![0u8; count * (payload.len() + 14)];
    Ok(case((payload, out), move |(payload, out)| {
        // SAFETY: the pointers and lengths describe live buffers for the call.
        let n = unsafe { f(payload.as_ptr(), payload.len(), count, out.as_mut_ptr(), out.len()) };
        assert_ne!(n, u64::MAX, "the C ABI failed to encode");
        std::hint::black_box(&out[..n as usize]);
        n
    }))
}
