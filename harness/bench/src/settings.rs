//! How long and how often everything is measured, from the defaults and the options.

use std::time::Duration;

use crate::cli::Options;

/// How long and how often everything is measured.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rounds: usize,
    /// Rounds of the workflow bursts: a burst lasts about half a second, so its median
    /// takes more rounds than a 1.5 s cell to settle.
    pub burst_rounds: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub workflow_conversations: usize,
    pub sequential_runs: usize,
    /// Create → tag → close cycles before the busy server's memory is read.
    pub memory_closings: usize,
    pub startups: usize,
    pub process_runs: usize,
    pub loop_runs: usize,
    pub scale_sizes: Vec<usize>,
    pub scale_latency_size: usize,
    pub peer_startups: usize,
    pub peer_warmup: Duration,
}

impl Settings {
    pub fn from(options: &Options) -> Settings {
        let mut s = if options.quick {
            Settings {
                rounds: 1,
                burst_rounds: 1,
                warmup: Duration::from_millis(200),
                duration: Duration::from_millis(500),
                workflow_conversations: 1000,
                sequential_runs: 30,
                memory_closings: 2000,
                startups: 30,
                process_runs: 5,
                loop_runs: 5,
                scale_sizes: vec![10_000, 100_000],
                scale_latency_size: 100_000,
                peer_startups: 2,
                peer_warmup: Duration::from_secs(1),
            }
        } else {
            Settings {
                rounds: 3,
                burst_rounds: 5,
                warmup: Duration::from_millis(300),
                duration: Duration::from_millis(1500),
                workflow_conversations: 5000,
                sequential_runs: 100,
                memory_closings: 10_000,
                startups: 100,
                process_runs: 15,
                loop_runs: 15,
                scale_sizes: vec![10_000, 100_000],
                scale_latency_size: 100_000,
                peer_startups: 9,
                peer_warmup: Duration::from_secs(3),
            }
        };
        if let Some(rounds) = options.rounds {
            s.rounds = rounds;
            s.burst_rounds = rounds;
        }
        if let Some(burst) = options.burst {
            s.workflow_conversations = burst;
        }
        if let Some(seconds) = options.seconds {
            s.duration = Duration::from_secs_f64(seconds);
        }
        s
    }
}
