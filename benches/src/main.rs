//! Side-by-side benchmarks of wsframe (DESIGN §6): one run measures every
//! workload for every implementation, prints the report and writes
//! BENCHMARKS.md at the repository root. See benches/README.md.

mod callgrind;
mod codesize;
mod footprint;
mod harness;
mod inputs;
mod io;
mod peers;
mod report;
mod targets;
mod workloads;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use harness::{Case, Samples, wsframe_bench_region};
use report::{Report, RowResult, Status, WorkloadResult};
use workloads::{Kind, MEMCPY, Scale, Workload};

#[global_allocator]
static ALLOC: footprint::CountingAlloc = footprint::CountingAlloc;

/// The reduced sizes of the callgrind runs (instructions per op/byte barely
/// depend on them; valgrind runs code ~50x slower).
const CALLGRIND_SCALE: Scale =
    Scale { small_frames: 10_000, big: 4 << 20, requests: 10_000, unmask_bytes: 4 << 20 };

struct Args {
    reps: usize,
    scale: Scale,
    scale_name: String,
    out: PathBuf,
    node_json: PathBuf,
    callgrind: bool,
    codesize: bool,
    only: Option<String>,
    one: Option<(String, String)>,
    jobs: usize,
    command: String,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("benches/ has a parent").to_path_buf()
}

fn parse_args() -> Args {
    let root = repo_root();
    let mut a = Args {
        reps: 31,
        scale: Scale::FULL,
        scale_name: "full".into(),
        out: root.join("BENCHMARKS.md"),
        node_json: root.join("target/bench-node.json"),
        callgrind: true,
        codesize: true,
        only: None,
        one: None,
        jobs: 2,
        command: "make bench".into(),
    };
    let mut it = std::env::args().skip(1);
    let usage = "usage: wsframe-benches [--reps N] [--quick] [--only SUBSTRING] [--out FILE] \
                 [--node-json FILE] [--no-callgrind] [--no-codesize] [--jobs N] [--command TEXT]";
    while let Some(arg) = it.next() {
        let mut val =
            |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value\n{usage}"));
        match arg.as_str() {
            "--reps" => a.reps = val("--reps").parse().expect("--reps N"),
            "--quick" => {
                a.scale = Scale::QUICK;
                a.scale_name = "quick".into();
                a.reps = 3;
                a.callgrind = false;
            }
            "--scale" => {
                a.scale_name = val("--scale");
                a.scale = match a.scale_name.as_str() {
                    "full" => Scale::FULL,
                    "quick" => Scale::QUICK,
                    "callgrind" => CALLGRIND_SCALE,
                    s => panic!("unknown scale {s}"),
                };
            }
            "--only" => a.only = Some(val("--only")),
            "--out" => a.out = PathBuf::from(val("--out")),
            "--node-json" => a.node_json = PathBuf::from(val("--node-json")),
            "--no-callgrind" => a.callgrind = false,
            "--no-codesize" => a.codesize = false,
            "--jobs" => a.jobs = val("--jobs").parse().expect("--jobs N"),
            "--command" => a.command = val("--command"),
            "--one" => {
                let w = val("--one");
                let i = val("--one");
                a.one = Some((w, i));
            }
            "-h" | "--help" => {
                println!("{usage}");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}\n{usage}"),
        }
    }
    a
}

fn main() {
    let args = parse_args();
    if let Some((w, i)) = &args.one {
        run_one(w, i, args.scale);
        return;
    }
    // A failing peer is reported in its row; one line on stderr is enough.
    std::panic::set_hook(Box::new(|info| eprintln!("  panic: {info}")));
    let start = Instant::now();
    let mut machine = machine_info();
    let load_start = loadavg();

    eprintln!("== building the C ABI driver (libwsframe.a + benches/c/wsframe_c_bench.c)");
    peers::cabi::build();

    let mut results = Vec::new();
    for w in workloads::all(args.scale) {
        if args.only.as_ref().is_some_and(|o| !w.id.contains(o.as_str())) {
            continue;
        }
        eprintln!("== {} ({})", w.title, w.id);
        results.push(run_workload(&w, args.scale, args.reps));
    }

    eprintln!("== state per idle connection");
    let footprint = footprint::measure();

    let mut cg_note = None;
    if args.callgrind {
        match callgrind::available() {
            Some(version) => {
                eprintln!("== instruction counts ({version}, {} jobs)", args.jobs);
                let exe = std::env::current_exe().expect("own path");
                let jobs: Vec<(String, String)> = results
                    .iter()
                    .flat_map(|w| {
                        w.rows
                            .iter()
                            .filter(|r| matches!(r.status, Status::Measured { .. }))
                            .map(|r| (w.id.clone(), r.name.clone()))
                    })
                    .rev()
                    .collect();
                let tmp = std::env::temp_dir();
                let counts = callgrind::count_all(&exe, jobs, args.jobs, &tmp);
                for w in &mut results {
                    for r in &mut w.rows {
                        r.instr = counts.get(&(w.id.clone(), r.name.clone())).cloned();
                    }
                }
                cg_note = Some(format!(
                    "{version}; {}k small frames or requests, {} MiB big messages, {} MiB per unmask run",
                    CALLGRIND_SCALE.small_frames / 1000,
                    CALLGRIND_SCALE.big >> 20,
                    CALLGRIND_SCALE.unmask_bytes >> 20
                ));
                machine.push(("Instruction counts".into(), version));
            }
            None => eprintln!("== valgrind not found: no instruction counts"),
        }
    }

    let codesize = args.codesize.then(|| {
        eprintln!("== no_std code size");
        codesize::measure(Path::new(env!("CARGO_MANIFEST_DIR")))
    });

    let node = if args.node_json.exists() {
        match report::merge_node(&args.node_json, &mut results) {
            Ok(n) => Some(n),
            Err(e) => {
                eprintln!("warning: ignoring {}: {e}", args.node_json.display());
                None
            }
        }
    } else {
        None
    };

    machine.push((
        "Load average (1/5/15 min) at start / end".into(),
        format!("{load_start} / {}", loadavg()),
    ));
    let mut command = args.command.clone();
    let mut flags = Vec::new();
    let mut argv = std::env::args().skip(1);
    while let Some(a) = argv.next() {
        if a == "--command" {
            argv.next();
        } else {
            flags.push(a);
        }
    }
    let flags = if flags.is_empty() { String::new() } else { format!(" -- {}", flags.join(" ")) };
    command.push_str(&format!(
        "\n# which runs (from the repository root):\ncargo run --release --manifest-path benches/Cargo.toml{flags}"
    ));
    let report = Report {
        date: run(&["date", "-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "unknown date".into()),
        command,
        wall_seconds: start.elapsed().as_secs_f64(),
        reps: args.reps,
        machine,
        workloads: results,
        footprint,
        codesize,
        callgrind: cg_note,
        node,
    };
    let md = report::render(&report);
    println!("{md}");
    if args.scale_name == "full" && args.only.is_none()
        || args.out != repo_root().join("BENCHMARKS.md")
    {
        std::fs::write(&args.out, &md).unwrap_or_else(|e| panic!("{}: {e}", args.out.display()));
        eprintln!("wrote {} in {:.0} s", args.out.display(), report.wall_seconds);
    } else {
        eprintln!("partial run (--quick/--only): not overwriting {}", args.out.display());
    }
}

fn per_byte(kind: Kind) -> bool {
    matches!(kind, Kind::Unmask { .. } | Kind::DecodeBig { .. } | Kind::Utf8 { .. })
}

/// Builds every row's case, warms each up (checking its result), then times
/// the repetitions round-robin across implementations, so that bursts of
/// load on the shared machine hit all of them alike.
fn run_workload(w: &Workload, scale: Scale, reps: usize) -> WorkloadResult {
    let cg = workloads::all(CALLGRIND_SCALE).into_iter().find(|c| c.id == w.id);
    let mut rows: Vec<RowResult> = Vec::new();
    let mut cases: Vec<Option<Box<dyn Case>>> = Vec::new();
    for row in workloads::rows(w, scale) {
        let (status, case) = match row.make {
            Err(why) => (Status::NotApplicable(why), None),
            Ok(make) => match catch_unwind(AssertUnwindSafe(|| {
                let mut case = make();
                let warm = harness::warm_up(case.as_mut());
                (case, warm)
            })) {
                Err(p) => (Status::Failed(panic_text(p)), None),
                Ok((case, warm)) => match w.expected {
                    Some(e) if row.name != MEMCPY && warm != e => {
                        (Status::Failed(format!("returned {warm}, expected {e}")), None)
                    }
                    _ => (Status::Measured { median: 0.0, spread: 0.0, wall: 0.0 }, Some(case)),
                },
            },
        };
        rows.push(RowResult {
            name: row.name.to_string(),
            status,
            note: row.note.map(str::to_string),
            instr: None,
        });
        cases.push(case);
    }
    let mut samples: Vec<Samples> = (0..rows.len()).map(|_| Samples::default()).collect();
    for _ in 0..reps {
        for (case, s) in cases.iter_mut().zip(samples.iter_mut()) {
            if let Some(case) = case {
                s.record(case.as_mut());
            }
        }
    }
    for (row, s) in rows.iter_mut().zip(samples) {
        if let Status::Measured { .. } = row.status {
            let median = harness::median(&s.cpu).as_secs_f64();
            let spread = harness::spread(&s.cpu);
            let wall = harness::median(&s.wall).as_secs_f64();
            row.status = Status::Measured { median, spread, wall };
            eprintln!(
                "  {:<22} {:>10.1} MB/s  {:>12.0} {}/s  (spread {:.0}%; wall clock {:.1} MB/s)",
                row.name,
                w.bytes as f64 / median / 1e6,
                w.ops as f64 / median,
                w.ops_name,
                spread * 100.0,
                w.bytes as f64 / wall / 1e6,
            );
        } else if let Status::NotApplicable(why) | Status::Failed(why) = &row.status {
            eprintln!("  {:<22} n/a: {why}", row.name);
        }
    }
    WorkloadResult {
        id: w.id.clone(),
        group: w.group.into(),
        title: w.title.clone(),
        bytes: w.bytes,
        ops: w.ops,
        ops_name: w.ops_name.into(),
        bytes_basis: w.bytes_basis.into(),
        per_byte: per_byte(w.kind),
        cg_size: cg.map(|c| (c.bytes, c.ops)).unwrap_or((w.bytes, w.ops)),
        rows,
    }
}

/// `--one`: a single measured call, for callgrind.
fn run_one(id: &str, imp: &str, scale: Scale) {
    let w = workloads::all(scale)
        .into_iter()
        .find(|w| w.id == id)
        .unwrap_or_else(|| panic!("no workload {id}"));
    let row = workloads::rows(&w, scale)
        .into_iter()
        .find(|r| r.name == imp)
        .unwrap_or_else(|| panic!("no implementation {imp} for {id}"));
    let make = row.make.unwrap_or_else(|why| panic!("{imp} n/a for {id}: {why}"));
    let mut case = make();
    case.prepare();
    std::hint::black_box(case.run()); // warm-up, not counted
    case.prepare();
    let r = wsframe_bench_region(case.as_mut());
    std::hint::black_box(r);
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".into())
}

fn run(cmd: &[&str]) -> Option<String> {
    let out = Command::new(cmd[0]).args(&cmd[1..]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn lock_versions() -> String {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .unwrap_or_default();
    let mut out = Vec::new();
    for name in
        ["tungstenite", "fastwebsockets", "embedded-websocket", "tokio", "httparse", "simdutf8"]
    {
        let needle = format!("name = \"{name}\"\nversion = \"");
        let mut versions: Vec<&str> = lock
            .match_indices(&needle)
            .filter_map(|(i, _)| lock[i + needle.len()..].split('"').next())
            .collect();
        versions.dedup();
        if !versions.is_empty() {
            out.push(format!("{name} {}", versions.join("/")));
        }
    }
    out.join(", ")
}

fn machine_info() -> Vec<(String, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string())
            })
        })
        .unwrap_or_default();
    let root = repo_root();
    let root_s = root.display().to_string();
    let commit = run(&["git", "-C", &root_s, "rev-parse", "--short", "HEAD"])
        .unwrap_or_else(|| "unknown".into());
    let dirty = run(&["git", "-C", &root_s, "status", "--porcelain", "--", "src", "Cargo.toml"])
        .is_some_and(|s| !s.is_empty());
    let mut m = vec![
        ("CPU".into(), format!("{cpu}, {cores} logical CPUs (shared with other work)")),
        ("OS / kernel".into(), format!("{os}, {}", run(&["uname", "-sr"]).unwrap_or_default())),
        ("Rust".into(), option_env!("BENCH_RUSTC_VERSION").unwrap_or("unknown").to_string()),
        (
            "C".into(),
            format!(
                "{}; libwslay-dev {}",
                run(&["gcc", "--version"])
                    .and_then(|s| s.lines().next().map(str::to_string))
                    .unwrap_or_default(),
                run(&["dpkg-query", "-W", "-f", "${Version}", "libwslay-dev"])
                    .unwrap_or_else(|| "not installed".into())
            ),
        ),
        (
            "wsframe".into(),
            format!(
                "commit {commit}{}",
                if dirty { " with uncommitted changes to src/ or Cargo.toml" } else { "" }
            ),
        ),
        ("Rust peers (Cargo.lock)".into(), lock_versions()),
    ];
    m.retain(|(_, v)| !v.is_empty());
    m
}
