//! ReportData: what the page's script reads, gathered from an execution and its profile, and its JSON form.

use super::idle::{self, WorkerIdle};
use super::layout::GraphDrawing;
use crate::profile::{Bottleneck, Gap, ProfileOptions, ProfileReport, Straggler};
use crate::{Execution, NodeStatus};
use serde::Serialize;

/// Everything the page shows. Field names are the JSON keys the script reads.
#[derive(Debug, Serialize)]
pub(super) struct ReportData<'a> {
    /// Version of this JSON layout.
    pub version: u32,
    pub run: RunInfo<'a>,
    /// One entry per node of the graph, in node-id order (the `task` indices below).
    pub tasks: Vec<TaskEntry<'a>>,
    /// Every element of every `#[each]` task, by task then index.
    pub elements: Vec<ElementEntry<'a>>,
    /// Number of Gantt lanes: the workers, plus one for tasks that ran on no pool worker.
    pub lanes: usize,
    /// The lane of tasks that ran on no pool worker, if there are any.
    pub other_lane: Option<usize>,
    pub profile: ProfileData<'a>,
    pub idle: Vec<WorkerIdle>,
    pub graph: GraphDrawing,
    pub warnings: &'a [String],
}

/// The run as a whole.
#[derive(Debug, Serialize)]
pub(super) struct RunInfo<'a> {
    pub dag: &'a str,
    pub description: &'a str,
    pub run_id: &'a str,
    /// Milliseconds since the Unix epoch (0 if the clock was before it).
    pub started_at_ms: f64,
    pub max_workers: usize,
    pub wall_clock: f64,
    pub success: bool,
    pub completed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub cancelled: usize,
    pub reused: usize,
}

/// One node's run and its profile.
#[derive(Debug, Serialize)]
pub(super) struct TaskEntry<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub description: &'a str,
    pub status: NodeStatus,
    pub start: f64,
    pub end: f64,
    pub duration: f64,
    pub worker: Option<usize>,
    /// The Gantt lane of its bar; `None`: no bar (the task did not run: skipped, cancelled).
    pub lane: Option<usize>,
    pub attempts: u32,
    pub reused_from: Option<&'static str>,
    pub error: Option<String>,
    pub critical: bool,
    pub slack: Option<f64>,
    pub queue_wait: f64,
    pub level: usize,
}

/// One element of an `#[each]` task.
#[derive(Debug, Serialize)]
pub(super) struct ElementEntry<'a> {
    /// Index of its task in `tasks`.
    pub task: usize,
    pub index: usize,
    pub start: f64,
    pub end: f64,
    pub worker: Option<usize>,
    pub lane: Option<usize>,
    pub attempts: u32,
    pub error: Option<&'a str>,
}

/// The run-level results of the profile (the per-node ones are in the task entries).
#[derive(Debug, Serialize)]
pub(super) struct ProfileData<'a> {
    pub critical_path: &'a [String],
    pub critical_path_duration: f64,
    pub parallelism_efficiency: f64,
    pub speedup: f64,
    pub sequential_sum: f64,
    pub peak_parallelism: usize,
    pub bottlenecks: &'a [Bottleneck],
    pub stragglers: &'a [Straggler],
    pub gaps: &'a [Gap],
    pub bottleneck_threshold: f64,
    pub straggler_ratio: f64,
    pub min_gap: f64,
}

/// Whether a node of this status occupied a worker (and so gets a Gantt bar).
fn ran(status: NodeStatus) -> bool {
    matches!(status, NodeStatus::Completed | NodeStatus::Failed)
}

impl<'a> ReportData<'a> {
    /// Gathers the data of `execution`, whose profile (with `options`) is `profile`.
    pub(super) fn build(
        execution: &'a Execution,
        profile: &'a ProfileReport,
        options: &ProfileOptions,
        max_graph_nodes: usize,
    ) -> Self {
        let graph = execution.graph();
        let view = &execution.view;
        // The profile lists the nodes in topological order.
        let mut position = vec![usize::MAX; graph.len()];
        for (i, id) in graph.topological_order().iter().enumerate() {
            position[id.index()] = i;
        }
        let max_worker = graph
            .nodes()
            .map(|id| execution.node_result(id))
            .filter(|r| ran(r.status))
            .filter_map(|r| r.worker)
            .chain(view.elements.iter().filter_map(|e| worker_of(e.worker)))
            .max();
        let workers = execution.max_workers().max(max_worker.map_or(0, |w| w + 1));
        let homeless = graph.nodes().any(|id| {
            let r = execution.node_result(id);
            ran(r.status) && r.worker.is_none()
        }) || view.elements.iter().any(|e| worker_of(e.worker).is_none());
        let other_lane = homeless.then_some(workers);
        let lane = |worker: Option<usize>| worker.or(other_lane);

        let tasks: Vec<TaskEntry<'a>> = graph
            .nodes()
            .map(|id| {
                let r = execution.node_result(id);
                let p = profile.nodes.get(position[id.index()]);
                TaskEntry {
                    name: r.name,
                    description: execution.description(id),
                    status: r.status,
                    start: r.start,
                    end: r.end,
                    duration: r.duration,
                    worker: r.worker,
                    lane: if ran(r.status) { lane(r.worker) } else { None },
                    attempts: r.attempts,
                    reused_from: r.reused_from.map(|s| s.as_str()),
                    error: r.error,
                    critical: p.is_some_and(|p| p.on_critical_path),
                    slack: p.and_then(|p| p.slack),
                    queue_wait: p.map_or(0.0, |p| p.queue_wait),
                    level: graph.level(id),
                }
            })
            .collect();

        let mut elements: Vec<ElementEntry<'a>> = view
            .elements
            .iter()
            .map(|e| {
                let worker = worker_of(e.worker);
                ElementEntry {
                    task: e.node as usize,
                    index: e.index as usize,
                    start: view.seconds(e.start),
                    end: view.seconds(e.end),
                    worker,
                    lane: lane(worker),
                    attempts: e.attempts,
                    error: e.error.as_deref(),
                }
            })
            .collect();
        elements.sort_by_key(|e| (e.task, e.index));

        let intervals = tasks
            .iter()
            .filter_map(|t| Some((t.lane?, t.start, t.end)))
            .chain(
                elements
                    .iter()
                    .filter_map(|e| Some((e.lane?, e.start, e.end))),
            );
        let lanes = workers + usize::from(homeless);
        let idle = idle::per_lane(
            intervals,
            lanes,
            profile.wall_clock,
            options.min_gap.max(0.0),
        );

        let started_at_ms = execution
            .started_at()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3);
        ReportData {
            version: 1,
            run: RunInfo {
                dag: execution.dag_name(),
                description: execution.dag_description(),
                run_id: execution.run_id(),
                started_at_ms,
                max_workers: execution.max_workers(),
                wall_clock: profile.wall_clock,
                success: execution.is_success(),
                completed: execution.succeeded(),
                failed: execution.failed(),
                skipped: execution.skipped(),
                cancelled: execution.cancelled(),
                reused: execution.reused(),
            },
            tasks,
            elements,
            lanes,
            other_lane,
            profile: ProfileData {
                critical_path: &profile.critical_path,
                critical_path_duration: profile.critical_path_duration,
                parallelism_efficiency: profile.parallelism_efficiency,
                speedup: profile.speedup,
                sequential_sum: profile.sequential_sum,
                peak_parallelism: profile.peak_parallelism,
                bottlenecks: &profile.bottlenecks,
                stragglers: &profile.stragglers,
                gaps: &profile.gaps,
                bottleneck_threshold: options.bottleneck_threshold,
                straggler_ratio: options.straggler_ratio,
                min_gap: options.min_gap,
            },
            idle,
            graph: GraphDrawing::of(graph, max_graph_nodes),
            warnings: execution.warnings(),
        }
    }

    /// The data as JSON safe to place inside a `<script>` element: every `<` is written as
    /// `\u003c` (only strings can hold one, and the escape means the same there), so no
    /// `</script>` or `<!--` can appear. Non-finite numbers are written as `null`.
    pub(super) fn to_embedded_json(&self) -> String {
        // Serialising plain structs of strings and numbers into a String cannot fail; should
        // it ever, the page says so instead of showing an empty report.
        let json = serde_json::to_string(self).unwrap_or_else(|e| {
            serde_json::json!({ "version": 1, "serialisation_error": e.to_string() }).to_string()
        });
        json.replace('<', "\\u003c")
    }
}

/// A raw worker index, `None` for the "no worker" marker.
fn worker_of(raw: u32) -> Option<usize> {
    (raw != crate::exec::NONE).then_some(raw as usize)
}
