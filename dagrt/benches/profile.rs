//! Benchmark: profiling a 100k-node execution (budget: 50 ms), against a plain duration-summing loop as the floor.

use dag::NodeStatus;
use dag::profile::{EstimateInput, NodeTiming, ProfileInput, ProfileReport, estimate};

const NODES: usize = 100_000;
const WINDOW: usize = 1_000;

fn main() {
    divan::main();
}

/// Deterministic xorshift64 generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A layered random-ish DAG: each node has 1–3 predecessors among the previous
/// 1000 nodes; tasks start a little after their inputs end (about 240 run at
/// once at the peak, on 256 workers); one in 200 fails.
fn generate(n: usize) -> ProfileInput {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut nodes: Vec<NodeTiming> = Vec::with_capacity(n);
    let mut wall_clock = 0.0_f64;
    for i in 0..n {
        let mut preds = Vec::new();
        if i > 0 {
            let lo = i.saturating_sub(WINDOW);
            for _ in 0..1 + rng.below(3) {
                preds.push(lo + rng.below(i - lo));
            }
        }
        let ready = preds.iter().map(|&p| nodes[p].end).fold(0.0, f64::max);
        let start = ready + 0.001 * rng.unit();
        let end = start + 0.001 + 0.099 * rng.unit();
        wall_clock = wall_clock.max(end);
        let status = if rng.below(200) == 0 {
            NodeStatus::Failed
        } else {
            NodeStatus::Completed
        };
        nodes.push(NodeTiming {
            name: format!("task_{i}"),
            preds,
            status,
            start,
            end,
            worker: Some(rng.below(8)),
        });
    }
    ProfileInput {
        nodes,
        wall_clock,
        max_workers: 256,
    }
}

#[divan::bench(sample_count = 30)]
fn profile_100k(bencher: divan::Bencher) {
    let input = generate(NODES);
    bencher.bench(|| ProfileReport::from_input(divan::black_box(&input)));
}

#[divan::bench(sample_count = 30)]
fn baseline_sum_durations_100k(bencher: divan::Bencher) {
    let input = generate(NODES);
    bencher.bench(|| {
        divan::black_box(&input)
            .nodes
            .iter()
            .map(|t| t.end - t.start)
            .sum::<f64>()
    });
}

#[divan::bench(sample_count = 30)]
fn estimate_100k(bencher: divan::Bencher) {
    let input = generate(NODES);
    let est = EstimateInput {
        names: input.nodes.iter().map(|t| t.name.clone()).collect(),
        preds: input.nodes.iter().map(|t| t.preds.clone()).collect(),
        durations: input.nodes.iter().map(|t| t.end - t.start).collect(),
    };
    bencher.bench(|| estimate(divan::black_box(&est), 256));
}

#[divan::bench(sample_count = 30)]
fn summary_and_json_100k(bencher: divan::Bencher) {
    let report = ProfileReport::from_input(&generate(NODES));
    bencher.bench(|| {
        let s = divan::black_box(&report).summary();
        let j = report.to_json();
        s.len() + j.len()
    });
}
