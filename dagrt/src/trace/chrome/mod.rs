//! Export to the Chrome Trace Event Format (chrome://tracing, Perfetto, DevTools).

mod emit;
mod json;
mod lane;
mod writer;

pub(crate) use writer::write;

/// How node runs are spread over lanes (Chrome "threads") in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lanes {
    /// One lane per node, named after the node.
    #[default]
    Node,
    /// One lane per worker, named `worker N`: shows the real parallelism.
    Worker,
}

/// Options of [`ExecutionTrace::to_chrome_trace_with`](crate::trace::ExecutionTrace::to_chrome_trace_with).
///
/// The export is a JSON object `{"traceEvents": [...], "displayTimeUnit": "ms"}`
/// with times in microseconds (trace time 0 at 1 µs: the DevTools trace engine reads
/// `ts: 0` as "no timestamp"; viewers show times from the first event) and a single
/// process (pid 1) named after the DAG:
///
/// * a lane `execution` with one slice for the whole run;
/// * one lane per node or per worker (see [`Lanes`]) with one slice per node
///   run, `args` holding `status`, `step`, `worker`, `attempt` and `error`.
///   Slices on one lane never overlap: a run that would overlap the previous
///   one on its lane goes to an extra lane `<lane> (overflow)`;
/// * instant events (`ph: "I"`, `s: "t"`) for failures, skips, cancellations,
///   timeouts, cache hits/misses, gates and resources, error text in `args`;
/// * steps as async events (`ph: "b"`/`"e"`, `cat: "step"`, `id` = step index)
///   on a lane `steps`;
/// * `M` events naming the process (first) and every lane (last, once every lane is known),
///   lanes sorted by first use.
///
/// Events are written in timestamp order (at equal timestamps: async ends, instants, slices,
/// async begins, then zero-length spans), as soon as no earlier event can follow, so the
/// export streams ([`ExecutionTrace::write_chrome_trace`](crate::trace::ExecutionTrace::write_chrome_trace)).
///
/// By default slices are complete events (`ph: "X"`, `dur` = the run's duration
/// in µs); [`Slices::BeginEnd`] writes each as a `B`/`E` pair instead. Perfetto
/// and `chrome://tracing` treat both alike, but the DevTools trace engine
/// matches `B`/`E` with one stack shared by all threads and so mispairs runs
/// that overlap on different lanes: keep the default for DevTools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChromeOptions {
    /// Which lanes node runs are drawn on.
    pub lanes: Lanes,
    /// How a slice is written.
    pub slices: Slices,
}

impl ChromeOptions {
    /// Default options with node runs drawn on `lanes`.
    #[must_use]
    pub fn lanes(lanes: Lanes) -> Self {
        ChromeOptions {
            lanes,
            ..Self::default()
        }
    }

    /// These options with slices written as `slices`.
    #[must_use]
    pub fn with_slices(mut self, slices: Slices) -> Self {
        self.slices = slices;
        self
    }
}

/// How a slice (a node run, the whole execution) is written in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Slices {
    /// One complete event (`ph: "X"`) with its duration: read by every consumer, including
    /// the DevTools trace engine.
    #[default]
    Complete,
    /// A `B` event at the start and an `E` event at the end, balanced and nested per lane.
    BeginEnd,
}

/// Where trace time 0 lands in the export, in µs. Not 0 because the DevTools
/// trace engine reads `ts: 0` as "no timestamp" and leaves such events out of
/// the trace bounds (the first node would be cut off); viewers show times
/// relative to the first event, so the offset is invisible there.
pub(crate) const TS_ORIGIN_US: f64 = 1.0;
