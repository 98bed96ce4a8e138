//! Measuring helpers shared by the benchmarks: latency percentiles and typed keystrokes.

use std::time::Duration;

/// The sample at quantile `p` (0 to 1) of samples sorted ascending.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Prints p50/p99/max of `samples` under `label` and returns p50 and p99.
#[allow(clippy::print_stdout)] // a benchmark's figures go to its output
pub fn report(label: &str, samples: &[Duration]) -> (Duration, Duration) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let (p50, p99) = (percentile(&sorted, 0.5), percentile(&sorted, 0.99));
    println!(
        "  {label:<40} n={:<6} p50={p50:>10.3?} p99={p99:>10.3?} max={:>10.3?}",
        sorted.len(),
        sorted[sorted.len() - 1]
    );
    (p50, p99)
}

/// Every prefix of `query`, from its first character, as typed one key at a time.
pub fn keystrokes(query: &str) -> Vec<&str> {
    query
        .char_indices()
        .skip(1)
        .map(|(i, _)| &query[..i])
        .chain([query])
        .filter(|p| !p.trim().is_empty())
        .collect()
}
