//! BENCHMARKS.md: tables, machine, command; merges Node results if present.

use std::fmt::Write as _;
use std::path::Path;

use crate::codesize::CodeSize;
use crate::footprint::StateRow;
use crate::workloads::{FLOOR, MEMCPY, PEER_NAMES};

pub enum Status {
    /// Median thread CPU seconds per run, its interquartile spread (relative),
    /// and the median wall-clock seconds per run.
    Measured {
        median: f64,
        spread: f64,
        wall: f64,
    },
    NotApplicable(String),
    Failed(String),
}

pub struct RowResult {
    pub name: String,
    pub status: Status,
    pub note: Option<String>,
    /// Callgrind instructions of one run at the callgrind scale.
    pub instr: Option<Result<u64, String>>,
}

pub struct WorkloadResult {
    pub id: String,
    pub group: String,
    pub title: String,
    pub bytes: u64,
    pub ops: u64,
    pub ops_name: String,
    pub bytes_basis: String,
    /// Instructions are shown per byte (else per op).
    pub per_byte: bool,
    /// Size of the callgrind run (bytes, ops), to normalise its counts.
    pub cg_size: (u64, u64),
    pub rows: Vec<RowResult>,
}

impl WorkloadResult {
    fn throughput(&self, r: &RowResult) -> Option<f64> {
        match r.status {
            Status::Measured { median, .. } if median > 0.0 => Some(self.bytes as f64 / median),
            _ => None,
        }
    }

    /// The fastest implementation's throughput. Rows merged from Node are measured
    /// differently (benches/node), so they count only in a table of Node rows alone.
    fn fastest_peer(&self) -> Option<f64> {
        let native = self.rows.iter().any(|r| !is_floor(&r.name) && !r.name.ends_with(NODE));
        self.rows
            .iter()
            .filter(|r| !is_floor(&r.name))
            .filter(|r| !native || !r.name.ends_with(NODE))
            .filter_map(|r| self.throughput(r))
            .fold(None, |m, t| Some(m.map_or(t, |m: f64| m.max(t))))
    }

    /// "n/a" or "failed" for a row without a measurement.
    fn missing(&self, name: &str) -> &'static str {
        match self.rows.iter().find(|r| r.name == name).map(|r| &r.status) {
            Some(Status::Failed(_)) => "failed",
            _ => "n/a",
        }
    }

    pub fn by_name(&self, name: &str) -> Option<f64> {
        self.rows.iter().find(|r| r.name == name).and_then(|r| self.throughput(r))
    }

    /// Why `name` has no throughput: its n/a or failure text.
    pub fn why_missing(&self, name: &str) -> String {
        match self.rows.iter().find(|r| r.name == name).map(|r| &r.status) {
            Some(Status::Failed(why)) => format!("{name} failed: {why}"),
            Some(Status::NotApplicable(why)) => format!("{name} n/a: {why}"),
            Some(Status::Measured { .. }) => format!("{name} has no throughput"),
            None => format!("no {name} row in this run"),
        }
    }

    /// Callgrind instructions per operation of row `name`, if counted.
    pub fn instr_per_op(&self, name: &str) -> Option<f64> {
        let r = self.rows.iter().find(|r| r.name == name)?;
        match r.instr {
            Some(Ok(n)) if self.cg_size.1 > 0 => Some(n as f64 / self.cg_size.1 as f64),
            _ => None,
        }
    }
}

pub struct NodeInfo {
    pub environment: Option<String>,
    pub command: Option<String>,
    /// How the Node rows were measured (a paragraph of the report).
    pub method: Option<String>,
    pub path: String,
}

pub struct Report {
    pub date: String,
    pub command: String,
    pub wall_seconds: f64,
    pub reps: usize,
    pub machine: Vec<(String, String)>,
    pub workloads: Vec<WorkloadResult>,
    pub footprint: Vec<StateRow>,
    pub codesize: Option<CodeSize>,
    pub callgrind: Option<String>,
    pub node: Option<NodeInfo>,
}

/// The suffix of rows merged from Node (`merge_node`), unless they ask for none.
pub const NODE: &str = " (Node)";

/// memcpy and the bare handshake floor are reference points (the least work
/// for the job with a given parser), not implementations, so "× fastest"
/// leaves them out.
fn is_floor(name: &str) -> bool {
    name == MEMCPY || name == FLOOR
}

fn mbs(bytes_per_s: f64) -> String {
    let v = bytes_per_s / 1e6;
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn si(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2} G", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.1} ")
    }
}

fn ratio(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

fn group_title(g: &str) -> &str {
    match g {
        "unmask" => "Unmasking (RFC 6455 §5.3)",
        "decode" => "Decoding client frames on a server (RFC 6455 §5.2, §5.4, §8.1)",
        "encode" => "Encoding frames",
        "utf8" => "UTF-8 validation",
        "handshake" => "Opening handshake, server side (RFC 6455 §4.2)",
        "node" => "Node.js-only workloads",
        other => other,
    }
}

fn esc(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Benchmarks\n");
    let _ = writeln!(
        o,
        "Generated by the side-by-side benchmark harness (`benches/`) on {}; do not edit by hand, rerun it.\n",
        r.date
    );
    let _ = writeln!(o, "Reproduce with:\n\n```sh\n{}\n```\n", r.command);
    let _ = writeln!(
        o,
        "The whole run (timings, instruction counts, code size) took {:.0} s.\n",
        r.wall_seconds
    );

    crate::targets::render(&mut o, r);

    let _ = writeln!(o, "## Machine\n");
    let _ = writeln!(o, "| | |\n| --- | --- |");
    for (k, v) in &r.machine {
        let _ = writeln!(o, "| {} | {} |", esc(k), esc(v));
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "## How it is measured\n");
    let _ = writeln!(
        o,
        "- Every implementation gets the same input bytes, built once by the harness's own encoder, and the same buffers \
         (reused across repetitions, allocated outside the timing).\n\
         - Decoders read through one simulated socket: reads of at most 64 KiB copied from the prebuilt input, as a kernel \
         `read()` would. That copy is the `memcpy` row of each decode table, the floor for everyone. The server side is \
         measured, so payloads are masked and must be unmasked.\n\
         - Encoders write into one preallocated output buffer; their `memcpy` row copies the payloads alone.\n\
         - One repetition runs the whole workload on a fresh connection. One untimed warm-up, then {} timed repetitions, \
         interleaved round-robin across the implementations of a workload so that load from other processes hits all \
         of them alike. The machine is shared (other builds run on its 2 cores), so each repetition is timed with the \
         thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`: user + system time of the benchmarking thread, which leaves out \
         time spent preempted; every workload is single-threaded and never blocks). MB/s and the ratios use the \
         **median** CPU time; *spread* is its interquartile range over the median; *wall-clock MB/s* is the median by \
         wall clock, for reference.\n\
         - Results are consumed with `std::hint::black_box`, and each run's output (payload bytes + messages \
         delivered, bytes written, validation result) is checked after the warm-up, so nothing is optimised away.\n\
         - MB/s is 10^6 bytes per second of the basis named in each table. *× fastest* is the throughput over the \
         fastest implementation of that workload (memcpy and the bare handshake floor excluded, and rows measured in \
         Node where the table has others); *× memcpy* is the throughput over the memcpy row.\n\
         - *instr* is the number of instructions (valgrind callgrind, counting only the measured call) per operation \
         or per byte, from a separate run at a reduced size ({}). It does not depend on machine load.\n\
         - Rust code is built with `--release` (opt-level 3, thin LTO, one codegen unit); the wslay driver with `gcc -O2`, \
         linked against Debian's prebuilt libwslay. The *wsframe (C ABI)* rows run `benches/c/wsframe_c_bench.c` \
         (`gcc -O2`) on `libwsframe.a` from `cargo build --release -p wsframe-c`, linked into one shared object \
         that the harness loads: C calls the library directly, as a C program linking `libwsframe.a` does.\n\
         - \"n/a\" means the implementation has no public API for the workload; notes say where a peer does different \
         work (reassembly, extra copies, validation it skips).\n",
        r.reps,
        r.callgrind.as_deref().unwrap_or("not available here")
    );
    if r.node.is_some() {
        let _ = writeln!(
            o,
            "Rows marked *(Node)* and the Node.js-only tables (echo round trips among them) are measured in Node by \
             `benches/node/`, not by this harness: see [Node.js results](#nodejs-results) at the end for how.\n"
        );
    }

    summary(&mut o, r);

    let mut groups: Vec<&str> = Vec::new();
    for w in &r.workloads {
        if !groups.contains(&w.group.as_str()) {
            groups.push(&w.group);
        }
    }
    for g in groups {
        let _ = writeln!(o, "## {}\n", group_title(g));
        for w in r.workloads.iter().filter(|w| w.group == g) {
            table(&mut o, w);
        }
    }

    footprint(&mut o, &r.footprint);
    codesize(&mut o, r.codesize.as_ref());

    if let Some(n) = &r.node {
        let _ = writeln!(o, "## Node.js results\n");
        let _ = writeln!(
            o,
            "Rows marked *(Node)*, and any Node.js-only workloads, come from `{}`, merged into this report{}{}.\n",
            n.path,
            n.environment.as_ref().map(|e| format!("; environment: {e}")).unwrap_or_default(),
            n.command.as_ref().map(|c| format!("; produced by `{c}`")).unwrap_or_default(),
        );
        if let Some(m) = &n.method {
            let _ = writeln!(o, "{m}\n");
        }
    }
    o
}

fn summary(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Summary: wsframe against each peer\n");
    let _ = writeln!(
        o,
        "wsframe's median throughput divided by the peer's (above 1× = wsframe faster). \
         Per-workload tables below have the absolute numbers and caveats.\n"
    );
    let peers: Vec<&str> = PEER_NAMES.iter().copied().filter(|p| *p != "wsframe").collect();
    let _ = write!(o, "| workload | wsframe MB/s |");
    for p in &peers {
        let _ = write!(o, " vs {p} |");
    }
    let _ = writeln!(o, " wsframe / memcpy |");
    let _ = write!(o, "| --- | ---: |");
    for _ in &peers {
        let _ = write!(o, " ---: |");
    }
    let _ = writeln!(o, " ---: |");
    for w in &r.workloads {
        let Some(ws) = w.by_name("wsframe") else { continue };
        let _ = write!(o, "| {} | {} |", esc(&w.title), mbs(ws));
        for p in &peers {
            let cell = match w.by_name(p) {
                Some(t) => ratio(ws / t),
                None => w.missing(p).into(),
            };
            let _ = write!(o, " {cell} |");
        }
        let m = w.by_name(MEMCPY).map(|m| ratio(ws / m)).unwrap_or_else(|| "n/a".into());
        let _ = writeln!(o, " {m} |");
    }
    let _ = writeln!(o);
}

fn table(o: &mut String, w: &WorkloadResult) {
    let _ = writeln!(o, "### {}\n", esc(&w.title));
    let _ = writeln!(
        o,
        "`{}` · MB/s of {} ({} B per run) · {} per run: {}\n",
        w.id, w.bytes_basis, w.bytes, w.ops_name, w.ops
    );
    let per =
        if w.per_byte { "instr/B".to_string() } else { format!("instr/{}", singular(&w.ops_name)) };
    let _ = writeln!(
        o,
        "| implementation | MB/s | {}/s | × fastest | × memcpy | spread | wall-clock MB/s | {per} | notes |",
        w.ops_name
    );
    let _ = writeln!(o, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let fastest = w.fastest_peer();
    let memcpy = w.by_name(MEMCPY);
    for r in &w.rows {
        let name = if r.name == "wsframe" || r.name.starts_with("wsframe ") {
            format!("**{}**", r.name)
        } else {
            r.name.clone()
        };
        let instr = match &r.instr {
            Some(Ok(n)) => {
                let (b, ops) = w.cg_size;
                let v = *n as f64 / if w.per_byte { b as f64 } else { ops as f64 };
                if v >= 100.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            }
            Some(Err(_)) => "failed".into(),
            None => "".into(),
        };
        match &r.status {
            Status::Measured { median, spread, wall } => {
                let t = w.bytes as f64 / median;
                let ops = w.ops as f64 / median;
                let xf = if is_floor(&r.name) {
                    "".into()
                } else {
                    fastest.map(|f| ratio(t / f)).unwrap_or_default()
                };
                let xm = memcpy.map(|m| ratio(t / m)).unwrap_or_default();
                let _ = writeln!(
                    o,
                    "| {name} | {} | {}| {xf} | {xm} | {:.0}% | {} | {instr} | {} |",
                    mbs(t),
                    si(ops),
                    spread * 100.0,
                    mbs(w.bytes as f64 / wall),
                    esc(r.note.as_deref().unwrap_or(""))
                );
            }
            Status::NotApplicable(why) => {
                let _ = writeln!(o, "| {name} | n/a | | | | | | | {} |", esc(why));
            }
            Status::Failed(why) => {
                let note = r.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
                let _ = writeln!(o, "| {name} | failed | | | | | | | {}{} |", esc(why), esc(&note));
            }
        }
    }
    let _ = writeln!(o);
}

fn singular(s: &str) -> &str {
    s.strip_suffix('s').unwrap_or(s)
}

fn footprint(o: &mut String, rows: &[StateRow]) {
    let _ = writeln!(o, "## State per idle connection\n");
    let _ = writeln!(
        o,
        "A server connection right after the handshake, before any traffic, on x86_64. *inline* is `size_of` of the \
         type; *heap* is what creating it allocated (a counting global allocator; for wslay, glibc `mallinfo2` chunk \
         sizes, which include malloc's per-chunk overhead).\n"
    );
    let _ = writeln!(
        o,
        "| implementation | type | inline (B) | heap (B) | total (B) | the caller must also provide |"
    );
    let _ = writeln!(o, "| --- | --- | ---: | ---: | ---: | --- |");
    for r in rows {
        let inline = r.inline.map(|n| n.to_string()).unwrap_or_else(|| "opaque".into());
        let heap = r.heap.map(|n| n.to_string()).unwrap_or_else(|| "n/a".into());
        let total = match (r.inline, r.heap) {
            (Some(a), Some(b)) => (a as isize + b).to_string(),
            (None, Some(b)) => format!("≥ {b}"),
            _ => "n/a".into(),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {inline} | {heap} | {total} | {} |",
            r.name,
            esc(r.ty),
            esc(r.caller)
        );
    }
    let _ = writeln!(o);
}

fn codesize(o: &mut String, cs: Option<&CodeSize>) {
    let _ = writeln!(o, "## no_std code size (thumbv7em-none-eabihf, Cortex-M4F)\n");
    let Some(cs) = cs else {
        let _ = writeln!(o, "Not measured in this run (`--no-codesize`).\n");
        return;
    };
    let _ = writeln!(
        o,
        "`benches/nostd-size` is a `#![no_std]` staticlib (LTO, one codegen unit, `panic = \"abort\"`, no `alloc`) whose \
         `extern \"C\"` entry points use wsframe as firmware would. Each entry point is linked alone with \
         `arm-none-eabi-ld --gc-sections`, so only code reachable from it is counted, and measured with \
         `arm-none-eabi-size` (Berkeley format: text = .text + .rodata + .ARM.exidx; data and bss are statics). \
         *builtins* is the part of text that is compiler_builtins' `memcpy`/`memmove`/`memset`, which firmware \
         linking a libc has anyway. The *minimal server endpoint* rows are DESIGN §6's figure: one function that \
         parses and accepts an upgrade request, reads one masked binary frame, echoes it and sends Close 1000 \"bye\" \
         (`wsf_endpoint`), and the same function written with embedded-websocket + httparse (`ews_endpoint`); the \
         figure is *`.text` without builtins* (the crates' own code; .rodata not included). Built with {}.\n",
        if cs.rustc.is_empty() { "the installed rustc".into() } else { format!("`{}`", cs.rustc) }
    );
    if !cs.rows.is_empty() {
        let _ = writeln!(
            o,
            "| code linked | profile | text (B) | of which builtins (B) | `.text` section (B) | `.text` without builtins (B) | data (B) | bss (B) |"
        );
        let _ = writeln!(o, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for r in &cs.rows {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                esc(r.what),
                r.profile,
                r.text,
                r.builtins,
                r.text_section,
                r.text_section.saturating_sub(r.builtins),
                r.data,
                r.bss
            );
        }
        let _ = writeln!(o);
    }
    if let Some(e) = &cs.error {
        let _ = writeln!(o, "Measurement failed: {}\n", esc(e));
    }
}

/// Merges `path` (written by a Node script) into `workloads`. Format:
/// `{"environment": "...", "command": "...", "method": "...", "results":
/// [{"workload": id, "implementation": name, "median_s": CPU seconds per run,
/// "wall_s": wall seconds per run, "spread": relative IQR, "note": "...",
/// "verbatim": true to show the name without " (Node)", "failed": why
/// (instead of "median_s"), and for a workload not in the Rust tables also
/// "title", "bytes", "ops", "ops_name", "bytes_basis"}]}`.
pub fn merge_node(path: &Path, workloads: &mut Vec<WorkloadResult>) -> Result<NodeInfo, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let results = v.get("results").and_then(|r| r.as_array()).ok_or("no \"results\" array")?;
    for (i, item) in results.iter().enumerate() {
        let s = |k: &str| item.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let n = |k: &str| item.get(k).and_then(|x| x.as_f64());
        let id = s("workload").ok_or(format!("results[{i}]: no workload"))?;
        let name = s("implementation").ok_or(format!("results[{i}]: no implementation"))?;
        let status = match (s("failed"), n("median_s")) {
            (Some(why), _) => Status::Failed(why),
            (None, Some(median)) => Status::Measured {
                median,
                spread: n("spread").unwrap_or(0.0),
                wall: n("wall_s").unwrap_or(median),
            },
            (None, None) => return Err(format!("results[{i}]: no median_s")),
        };
        let verbatim = item.get("verbatim").and_then(|x| x.as_bool()).unwrap_or(false);
        let row = RowResult {
            name: if verbatim { name } else { format!("{name}{NODE}") },
            status,
            note: s("note"),
            instr: None,
        };
        if let Some(w) = workloads.iter_mut().find(|w| w.id == id) {
            w.rows.push(row);
            continue;
        }
        let bytes =
            n("bytes").ok_or(format!("results[{i}]: new workload {id} needs bytes"))? as u64;
        workloads.push(WorkloadResult {
            id: id.clone(),
            group: "node".into(),
            title: s("title").unwrap_or(id),
            bytes,
            ops: n("ops").unwrap_or(1.0) as u64,
            ops_name: s("ops_name").unwrap_or_else(|| "ops".into()),
            bytes_basis: s("bytes_basis").unwrap_or_else(|| "bytes".into()),
            per_byte: false,
            cg_size: (0, 0),
            rows: vec![row],
        });
    }
    Ok(NodeInfo {
        environment: v.get("environment").and_then(|x| x.as_str()).map(str::to_string),
        command: v.get("command").and_then(|x| x.as_str()).map(str::to_string),
        method: v.get("method").and_then(|x| x.as_str()).map(str::to_string),
        path: path.strip_prefix(crate::repo_root()).unwrap_or(path).display().to_string(),
    })
}
