//! Measuring helpers shared by the benchmarks: latency percentiles, typed keystrokes and a
//! learned duplicate-detection model as a table.

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

/// A learned duplicate-detection model as a table: the prior, then each level's stratum (the
/// contact shared, `-` for all pairs), field, level, m, u and weight in bits, one per line.
pub fn model_table(model: &crm_core::MatchModel) -> String {
    let mut out = format!("prior {:e}\n", model.prior);
    for w in &model.levels {
        out.push_str(&format!(
            "{:>8} {:>10} {:>18} m {:.5} u {:.3e} w {:+.2}\n",
            w.given.map_or("-", |g| g.as_str()),
            w.field.as_str(),
            w.level.as_str(),
            w.m,
            w.u,
            w.weight()
        ));
    }
    out
}
