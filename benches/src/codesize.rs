//! wsframe's no_std code size on thumbv7em-none-eabihf (Cortex-M4F).
//!
//! Builds benches/nostd-size (a staticlib with LTO whose `extern "C"` entry
//! points use the core as firmware would), links each entry point alone with
//! `arm-none-eabi-ld --gc-sections` so only reachable code remains, and reads
//! `arm-none-eabi-size` (Berkeley: text = .text + .rodata + .ARM.exidx).

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SizeRow {
    pub what: &'static str,
    pub profile: &'static str,
    pub text: u64,
    /// The `.text` section alone (no .rodata): DESIGN §6's endpoint figure
    /// is this minus `builtins`.
    pub text_section: u64,
    pub data: u64,
    pub bss: u64,
    /// Of `text`, bytes in compiler_builtins (memcpy, memmove, memset...).
    pub builtins: u64,
}

pub struct CodeSize {
    pub rows: Vec<SizeRow>,
    pub error: Option<String>,
    pub rustc: String,
}

const TARGET: &str = "thumbv7em-none-eabihf";

/// The minimal server endpoint of DESIGN §6 (issue 12's code-size lane).
pub const ENDPOINT: &str = "minimal server endpoint (DESIGN §6): wsframe";
pub const ENDPOINT_PEER: &str =
    "minimal server endpoint (DESIGN §6): embedded-websocket + httparse";

const SETS: [(&str, &[&str]); 6] = [
    ("server framing: receive (unmask, UTF-8, close) + send", &["wsf_server_echo"]),
    ("client framing: the same + masking with caller keys", &["wsf_client_echo"]),
    (
        "server handshake: parse_request + write_accept (head parser, SHA-1, base64)",
        &["wsf_server_handshake"],
    ),
    ("all three together", &["wsf_server_echo", "wsf_client_echo", "wsf_server_handshake"]),
    (ENDPOINT, &["wsf_endpoint"]),
    (ENDPOINT_PEER, &["ews_endpoint"]),
];

pub fn measure(benches_dir: &Path) -> CodeSize {
    let mut rows = Vec::new();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    for profile in ["release", "speed"] {
        match build_and_size(benches_dir, profile) {
            Ok(mut r) => rows.append(&mut r),
            Err(e) => return CodeSize { rows, error: Some(e), rustc },
        }
    }
    CodeSize { rows, error: None, rustc }
}

fn build_and_size(benches_dir: &Path, profile: &'static str) -> Result<Vec<SizeRow>, String> {
    let manifest = benches_dir.join("nostd-size/Cargo.toml");
    let target_dir = benches_dir.join("target/nostd-size");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--profile", profile, "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err.lines().find(|l| l.contains("error")).unwrap_or("build failed");
        return Err(format!(
            "building benches/nostd-size for {TARGET} failed ({line}); `rustup target add {TARGET}`?"
        ));
    }
    let lib: PathBuf = target_dir.join(TARGET).join(profile).join("libwsframe_nostd_size.a");
    let mut rows = Vec::new();
    for (what, roots) in SETS {
        let elf = target_dir.join(format!("{}-{}.elf", profile, roots.join("+")));
        let mut ld = Command::new("arm-none-eabi-ld");
        ld.args(["--gc-sections", "-e", roots[0]]);
        for r in roots {
            ld.args(["-u", r]);
        }
        let st = ld.arg("-o").arg(&elf).arg(&lib).output().map_err(|e| {
            format!("arm-none-eabi-ld: {e} (Debian package binutils-arm-none-eabi)")
        })?;
        if !st.status.success() {
            return Err(format!(
                "arm-none-eabi-ld: {}",
                String::from_utf8_lossy(&st.stderr).trim()
            ));
        }
        let size = Command::new("arm-none-eabi-size")
            .arg(&elf)
            .output()
            .map_err(|e| format!("arm-none-eabi-size: {e}"))?;
        let text = String::from_utf8_lossy(&size.stdout);
        let nums: Vec<u64> = text
            .lines()
            .nth(1)
            .unwrap_or("")
            .split_whitespace()
            .take(3)
            .filter_map(|n| n.parse().ok())
            .collect();
        if nums.len() != 3 {
            return Err(format!("unexpected arm-none-eabi-size output: {text}"));
        }
        rows.push(SizeRow {
            what,
            profile: if profile == "release" { "opt-level s" } else { "opt-level 3" },
            text: nums[0],
            text_section: text_section(&elf)?,
            data: nums[1],
            bss: nums[2],
            builtins: builtins_bytes(&elf),
        });
    }
    Ok(rows)
}

/// The `.text` line of `arm-none-eabi-size -A` (SysV format: per section).
fn text_section(elf: &Path) -> Result<u64, String> {
    let out = Command::new("arm-none-eabi-size")
        .arg("-A")
        .arg(elf)
        .output()
        .map_err(|e| format!("arm-none-eabi-size -A: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix(".text ")?.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("no .text in {}", elf.display()))
}

/// Bytes of compiler_builtins functions in the image (mem* routines that
/// firmware linking newlib or another libc would have anyway).
fn builtins_bytes(elf: &Path) -> u64 {
    let Ok(out) = Command::new("arm-none-eabi-nm").args(["-S", "--size-sort"]).arg(elf).output()
    else {
        return 0;
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("compiler_builtins"))
        .filter_map(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
        .sum()
}
