//! Instruction counts, for a noisy machine: hardware counters are not
//! available here (`perf stat -e instructions` reports "not supported"), so
//! each (workload, implementation) is rerun alone, at a reduced size, under
//! `valgrind --tool=callgrind --toggle-collect=wsframe_bench_region`, which
//! counts the instructions of the measured call only (no setup).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

pub fn available() -> Option<String> {
    let out = Command::new("valgrind").arg("--version").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Instructions executed by one measured run of `workload` × `imp`.
fn count(exe: &Path, workload: &str, imp: &str, tmp: &Path) -> Result<u64, String> {
    let file = tmp.join(format!("cg-{workload}-{}.out", imp.replace([' ', '(', ')'], "_")));
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--toggle-collect=wsframe_bench_region"])
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .args(["--one", workload, imp, "--scale", "callgrind"])
        .output()
        .map_err(|e| format!("valgrind: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().rev().take(3).collect::<Vec<_>>().join(" | "));
    }
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let _ = std::fs::remove_file(&file);
    text.lines()
        .find_map(|l| l.strip_prefix("totals:").or_else(|| l.strip_prefix("summary:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| "no totals in callgrind output".to_string())
}

/// Runs all `jobs` (workload id, implementation) on `threads` workers.
pub fn count_all(
    exe: &Path,
    jobs: Vec<(String, String)>,
    threads: usize,
    tmp: &Path,
) -> HashMap<(String, String), Result<u64, String>> {
    let queue = Mutex::new(jobs);
    let results = Mutex::new(HashMap::new());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let Some((w, i)) = queue.lock().expect("queue").pop() else { break };
                    let r = count(exe, &w, &i, tmp);
                    eprintln!(
                        "  callgrind {w} / {i}: {}",
                        match &r {
                            Ok(n) => format!("{n} instructions"),
                            Err(e) => format!("failed: {e}"),
                        }
                    );
                    results.lock().expect("results").insert((w, i), r);
                }
            });
        }
    });
    results.into_inner().expect("results")
}
