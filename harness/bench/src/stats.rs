//! Rounds of one measurement and what the report shows of them: the median rate of the
//! rounds (noise from other work on the machine moves single rounds, rarely the median)
//! and latency quantiles over every request of every round.

use std::time::Duration;

use crate::load::Sample;

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The smallest of `values` (infinity when empty).
pub fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The largest of `values` (0 when empty).
pub fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

/// Durations in milliseconds.
pub fn millis(values: &[Duration]) -> Vec<f64> {
    values.iter().map(|d| d.as_secs_f64() * 1000.0).collect()
}

/// The `q` quantile (nearest rank) of `values`.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Every round of one measurement.
#[derive(Clone, Default)]
pub struct Rounds(pub Vec<Sample>);

impl Rounds {
    pub fn rates(&self) -> Vec<f64> {
        self.0.iter().map(Sample::rate).collect()
    }

    /// The median requests/s of the rounds.
    pub fn rate(&self) -> f64 {
        median(&self.rates())
    }

    pub fn min_rate(&self) -> f64 {
        min(&self.rates())
    }

    pub fn max_rate(&self) -> f64 {
        max(&self.rates())
    }

    /// Every request of every round.
    pub fn merged(&self) -> Sample {
        let mut all = Sample::empty();
        for sample in &self.0 {
            all.merge(sample);
        }
        all
    }

    /// The median of the rounds' CPU time per request (µs).
    pub fn cpu_per_request_us(&self) -> f64 {
        median(
            &self
                .0
                .iter()
                .map(Sample::cpu_per_request_us)
                .collect::<Vec<_>>(),
        )
    }

    pub fn errors(&self) -> u64 {
        self.0.iter().map(|s| s.errors).sum()
    }
}
