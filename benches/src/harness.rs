//! Timing: one repetition = one full run of a workload; the median is reported.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// One implementation's code for one workload.
pub trait Case {
    /// Untimed work before each repetition (e.g. truncating an output buffer).
    fn prepare(&mut self) {}
    /// The timed work. Returns a value the caller checks (bytes delivered,
    /// bytes written, ...), which also keeps the work observable.
    fn run(&mut self) -> u64;
}

/// A [`Case`] from a state and two closures.
pub struct FnCase<S, P, R> {
    state: S,
    prep: P,
    body: R,
}

impl<S, P: FnMut(&mut S), R: FnMut(&mut S) -> u64> Case for FnCase<S, P, R> {
    fn prepare(&mut self) {
        (self.prep)(&mut self.state);
    }
    fn run(&mut self) -> u64 {
        (self.body)(&mut self.state)
    }
}

pub fn case<S: 'static>(state: S, body: impl FnMut(&mut S) -> u64 + 'static) -> Box<dyn Case> {
    Box::new(FnCase { state, prep: |_: &mut S| {}, body })
}

pub fn case_with_prep<S: 'static>(
    state: S,
    prep: impl FnMut(&mut S) + 'static,
    body: impl FnMut(&mut S) -> u64 + 'static,
) -> Box<dyn Case> {
    Box::new(FnCase { state, prep, body })
}

/// The measured region. Not inlined and not mangled so that
/// `valgrind --tool=callgrind --toggle-collect=wsframe_bench_region` counts
/// the instructions of exactly this call and nothing of the setup.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn wsframe_bench_region(case: &mut dyn Case) -> u64 {
    black_box(case.run())
}

/// The calling thread's CPU time (user + system), which excludes the time
/// the thread sat preempted while other processes ran: the main clock here,
/// since the machine is shared. Linux `CLOCK_THREAD_CPUTIME_ID`.
pub fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid clock id and a pointer to a live timespec (64-bit Linux layout).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Timed repetitions of one case: thread CPU time and wall-clock time.
#[derive(Default)]
pub struct Samples {
    pub cpu: Vec<Duration>,
    pub wall: Vec<Duration>,
}

impl Samples {
    /// Runs one timed repetition (after its untimed `prepare`).
    pub fn record(&mut self, case: &mut dyn Case) {
        case.prepare();
        let (w, c) = (Instant::now(), thread_cpu_time());
        let r = wsframe_bench_region(case);
        let c = thread_cpu_time().saturating_sub(c);
        let w = w.elapsed();
        black_box(r);
        self.cpu.push(c);
        self.wall.push(w);
    }
}

pub fn median(times: &[Duration]) -> Duration {
    quantile(times, 0.5)
}

/// Interquartile range relative to the median: a noise indicator.
pub fn spread(times: &[Duration]) -> f64 {
    let q1 = quantile(times, 0.25).as_secs_f64();
    let q3 = quantile(times, 0.75).as_secs_f64();
    (q3 - q1) / median(times).as_secs_f64().max(1e-12)
}

fn quantile(times: &[Duration], q: f64) -> Duration {
    let mut v = times.to_vec();
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Duration::from_secs_f64(v[lo].as_secs_f64() * (1.0 - frac) + v[hi].as_secs_f64() * frac)
}

/// The untimed warm-up run; its result is what gets checked.
pub fn warm_up(case: &mut dyn Case) -> u64 {
    case.prepare();
    black_box(case.run())
}
