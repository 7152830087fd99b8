//! Generates the C header with the pinned cbindgen.
//!
//! The header always goes to `$OUT_DIR/wsframe.h`; with `WSFRAME_C_HEADER=path`
//! it is also written there (`make c-build` uses this to refresh the committed
//! `include/wsframe.h`, the C tests to check it for drift). All header text
//! lives in `cbindgen.toml`, so `cbindgen --config bindings/c/cbindgen.toml
//! --crate wsframe-c bindings/c` produces the same file.

use std::env;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-env-changed=WSFRAME_C_HEADER");
    if let Some(path) = env::var_os("WSFRAME_C_HEADER") {
        // Regenerate if the copy was edited or deleted.
        println!("cargo:rerun-if-changed={}", PathBuf::from(path).display());
    }

    // ELF shared library name: libwsframe.so.MAJOR, or libwsframe.so.0.MINOR
    // while the version is 0.x (where a minor release may break the ABI).
    if env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux") {
        let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
        let minor = env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
        let soname = if major == "0" {
            format!("libwsframe.so.0.{minor}")
        } else {
            format!("libwsframe.so.{major}")
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }

    let (Some(crate_dir), Some(out_dir)) =
        (env::var_os("CARGO_MANIFEST_DIR"), env::var_os("OUT_DIR"))
    else {
        eprintln!("build.rs: CARGO_MANIFEST_DIR and OUT_DIR must be set by cargo");
        return ExitCode::FAILURE;
    };
    let crate_dir = PathBuf::from(crate_dir);
    let config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("build.rs: cbindgen.toml: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bindings =
        match cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate() {
            Ok(bindings) => bindings,
            Err(e) => {
                eprintln!("build.rs: cbindgen: {e}");
                return ExitCode::FAILURE;
            }
        };
    bindings.write_to_file(PathBuf::from(out_dir).join("wsframe.h"));
    if let Some(path) = env::var_os("WSFRAME_C_HEADER") {
        bindings.write_to_file(path);
    }
    ExitCode::SUCCESS
}
