//! Human-readable summary (`Display`) and JSON export of a [`ProfileReport`].

use std::collections::HashMap;
use std::fmt::{self, Display, Formatter, Write as _};

use super::report::ProfileReport;

/// Bottlenecks, stragglers and gaps shown in the summary (the rest are counted).
const SHOWN: usize = 5;
/// Failed node names shown in the summary.
const SHOWN_FAILED: usize = 10;
/// Longer critical paths are elided in the middle.
const PATH_SHOWN: usize = 12;

impl ProfileReport {
    /// The human-readable summary (same as `to_string()`), e.g.
    ///
    /// ```text
    /// Profile Report
    /// ==============
    /// Wall clock: 4.300s | Sequential sum: 5.400s | Speedup: 1.26x
    /// Parallelism efficiency: 31.4% (4 workers, peak 3 running)
    /// Critical path (4.300s):
    ///   fetch (0.500s) -> validate (0.100s) -> feature_a (1.000s) -> train (2.000s) -> evaluate (0.500s) -> deploy (0.200s)
    /// Top bottlenecks:
    ///   1. train: 2.000s (46.5% of wall clock) [critical path]
    ///   2. feature_a: 1.000s (23.3% of wall clock) [critical path]
    /// Stragglers:
    ///   train waited on feature_a: 3.33x its fastest input feature_c
    /// Idle gaps: 4 intervals, 11.800 worker-seconds idle
    ///   0.000s-0.600s: 3 idle
    ///   0.600s-0.900s: 1 idle
    ///   0.900s-1.400s: 2 idle
    ///   1.400s-4.300s: 3 idle
    /// Failed: none
    /// ```
    ///
    /// Long lists are cut (top 5 bottlenecks, stragglers and longest gaps,
    /// 10 failed names, a critical path longer than 12 nodes is elided in the middle).
    #[must_use]
    pub fn summary(&self) -> String {
        self.to_string()
    }

    /// The report as pretty-printed JSON (all fields; see `serde_json`).
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and finite numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }
}

impl Display for ProfileReport {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_summary(&mut out)?;
        f.write_str(&out)
    }
}

impl ProfileReport {
    fn write_summary(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "Profile Report")?;
        writeln!(out, "==============")?;
        writeln!(
            out,
            "Wall clock: {:.3}s | Sequential sum: {:.3}s | Speedup: {:.2}x",
            self.wall_clock, self.sequential_sum, self.speedup
        )?;
        writeln!(
            out,
            "Parallelism efficiency: {:.1}% ({} workers, peak {} running)",
            self.parallelism_efficiency * 100.0,
            self.max_workers,
            self.peak_parallelism
        )?;
        self.write_path(out)?;

        if self.bottlenecks.is_empty() {
            writeln!(out, "Top bottlenecks: none")?;
        } else {
            writeln!(out, "Top bottlenecks:")?;
            for (i, b) in self.bottlenecks.iter().take(SHOWN).enumerate() {
                let tag = if b.on_critical_path {
                    " [critical path]"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  {}. {}: {:.3}s ({:.1}% of wall clock){tag}",
                    i + 1,
                    b.node,
                    b.duration_seconds,
                    b.percentage
                )?;
            }
            more(out, self.bottlenecks.len(), SHOWN)?;
        }

        if self.stragglers.is_empty() {
            writeln!(out, "Stragglers: none")?;
        } else {
            writeln!(out, "Stragglers:")?;
            for s in self.stragglers.iter().take(SHOWN) {
                write!(
                    out,
                    "  {} waited on {}: {:.2}x",
                    s.join, s.straggler, s.ratio
                )?;
                if s.fastest.is_empty() {
                    writeln!(out, " its fastest input")?;
                } else {
                    writeln!(out, " its fastest input {}", s.fastest)?;
                }
            }
            more(out, self.stragglers.len(), SHOWN)?;
        }

        self.write_gaps(out)?;

        if !self.resource_waits.is_empty() {
            writeln!(out, "Resource waits:")?;
            for p in &self.resource_waits {
                writeln!(
                    out,
                    "  {}: {} tasks waited {:.3}s in all (longest {:.3}s)",
                    p.pool, p.tasks, p.total_seconds, p.max_seconds
                )?;
            }
        }

        if self.failed.is_empty() {
            writeln!(out, "Failed: none")?;
        } else {
            let shown: Vec<&str> = self
                .failed
                .iter()
                .take(SHOWN_FAILED)
                .map(String::as_str)
                .collect();
            write!(out, "Failed ({}): {}", self.failed.len(), shown.join(", "))?;
            if self.failed.len() > SHOWN_FAILED {
                write!(out, ", ...")?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_path(&self, out: &mut String) -> fmt::Result {
        if self.critical_path.is_empty() {
            return writeln!(out, "Critical path: none (no completed node)");
        }
        writeln!(out, "Critical path ({:.3}s):", self.critical_path_duration)?;
        let mut duration: HashMap<&str, f64> = HashMap::with_capacity(self.nodes.len());
        for node in &self.nodes {
            duration.entry(node.name.as_str()).or_insert(node.duration);
        }
        let step = |name: &String| match duration.get(name.as_str()) {
            Some(d) => format!("{name} ({d:.3}s)"),
            None => name.clone(),
        };
        let len = self.critical_path.len();
        let steps: Vec<String> = if len <= PATH_SHOWN {
            self.critical_path.iter().map(step).collect()
        } else {
            let head = PATH_SHOWN / 2;
            let tail = PATH_SHOWN - head - 1;
            let mut v: Vec<String> = self.critical_path[..head].iter().map(step).collect();
            v.push(format!("... ({} more)", len - head - tail));
            v.extend(self.critical_path[len - tail..].iter().map(step));
            v
        };
        writeln!(out, "  {}", steps.join(" -> "))
    }

    fn write_gaps(&self, out: &mut String) -> fmt::Result {
        if self.gaps.is_empty() {
            return writeln!(out, "Idle gaps: none");
        }
        let idle: f64 = self
            .gaps
            .iter()
            .map(|g| (g.end - g.start) * g.idle_workers as f64)
            .sum();
        let plural = if self.gaps.len() == 1 { "" } else { "s" };
        writeln!(
            out,
            "Idle gaps: {} interval{plural}, {idle:.3} worker-seconds idle",
            self.gaps.len()
        )?;
        // The largest idle areas, shown in time order.
        let mut order: Vec<usize> = (0..self.gaps.len()).collect();
        let area =
            |i: usize| (self.gaps[i].end - self.gaps[i].start) * self.gaps[i].idle_workers as f64;
        order.sort_by(|&a, &b| area(b).total_cmp(&area(a)).then(a.cmp(&b)));
        order.truncate(SHOWN);
        order.sort_unstable();
        for i in order {
            let g = &self.gaps[i];
            writeln!(
                out,
                "  {:.3}s-{:.3}s: {} idle",
                g.start, g.end, g.idle_workers
            )?;
        }
        more(out, self.gaps.len(), SHOWN)
    }
}

/// Writes "  ... and N more" when `total` exceeds `shown`.
fn more(out: &mut String, total: usize, shown: usize) -> fmt::Result {
    if total > shown {
        writeln!(out, "  ... and {} more", total - shown)?;
    }
    Ok(())
}
