//! Builds the wslay driver (c/wslay_bench.c) with `gcc -O2` and links it
//! against Debian's libwslay (package libwslay-dev). Without the package the
//! harness still builds; its wslay rows then say "not installed".

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_wslay)");
    println!("cargo::rerun-if-changed=c/wslay_bench.c");
    println!("cargo::rerun-if-changed=/usr/include/wslay/wslay.h");
    println!("cargo::rerun-if-env-changed=WSFRAME_BENCH_NO_WSLAY");
    // Set by mk/bench.mk to the installed libwslay-dev version: the header keeps the
    // package's mtime (years old), so installing it is not a change rerun-if-changed sees.
    println!("cargo::rerun-if-env-changed=WSFRAME_BENCH_WSLAY");

    // For the report's machine table: the compiler that built the harness.
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if let Ok(out) = Command::new(rustc).arg("--version").output() {
        let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
        println!("cargo::rustc-env=BENCH_RUSTC_VERSION={v}");
    }

    if env::var_os("WSFRAME_BENCH_NO_WSLAY").is_some()
        || !Path::new("/usr/include/wslay/wslay.h").exists()
    {
        println!(
            "cargo::warning=wslay disabled (WSFRAME_BENCH_NO_WSLAY set or libwslay-dev not installed): its rows will say so"
        );
        return;
    }
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let cc = env::var("CC").unwrap_or_else(|_| "gcc".into());
    let obj = out.join("wslay_bench.o");
    let lib = out.join("libwslay_bench.a");
    let ok = Command::new(&cc)
        .args(["-O2", "-std=c99", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-fPIC", "-c"])
        .arg("c/wslay_bench.c")
        .arg("-o")
        .arg(&obj)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        println!("cargo::warning=compiling c/wslay_bench.c failed: wslay rows will be skipped");
        return;
    }
    let _ = std::fs::remove_file(&lib);
    let ok = Command::new("ar")
        .arg("crs")
        .arg(&lib)
        .arg(&obj)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        println!("cargo::warning=ar failed: wslay rows will be skipped");
        return;
    }
    println!("cargo::rustc-link-search=native={}", out.display());
    println!("cargo::rustc-link-lib=static=wslay_bench");
    println!("cargo::rustc-link-lib=dylib=wslay");
    println!("cargo::rustc-cfg=has_wslay");
}
