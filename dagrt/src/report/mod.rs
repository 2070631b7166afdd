//! A self-contained HTML report of one run: Gantt chart per worker, critical path, DAG drawing, profile tables, failures.
//!
//! [`HtmlReport::new`] takes the DAG (a [`Dag`](crate::Dag) or a [`GraphDag`](crate::GraphDag),
//! like [`profile_execution`](crate::profile_execution)) and one of its [`Execution`]s;
//! [`HtmlReport::render`] returns the page and [`HtmlReport::write`] saves it. The page needs
//! no network: its CSS and script are inline and the run's data is one JSON blob in a
//! `<script type="application/json" id="dag-report-data">` element (every `<` written as
//! `\u003c`, so no task name or error can close the element). The script draws the Gantt
//! chart on a `<canvas>` and the DAG as one SVG, so a 10,000-task run opens in well under a
//! second.
//!
//! After rendering, the script records what it drew on `document.body.dataset`:
//! `rendered` (`ok`, or `error` with the message in `error`), `tasks`, `bars` (task bars in
//! the Gantt chart: one per task that ran), `elementBars` (`#[each]` elements), `critical`
//! (bars on the critical path), `graphNodes`, `graphEdges`, `graphCritical` (the drawn DAG),
//! `failures` (rows of the failure list) and `renderMs` (`performance.now()` at the end).
//!
//! ```
//! use dag::graph::Graph;
//! use dag::{Dag, Tasks};
//!
//! let mut b = Graph::builder();
//! b.add_nodes(["fetch", "train"]).add_edge("fetch", "train");
//! let dag = Dag::from_graph("ml", b.build()?);
//! let mut tasks = Tasks::new();
//! tasks.add("fetch", || 1).add("train", || 2);
//! let execution = dag.execute_with(&tasks)?;
//! let html = dag::report::HtmlReport::new(&dag, &execution).render();
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("id=\"dag-report-data\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod data;
mod idle;
mod layout;
mod page;

use crate::Execution;
use crate::profile::{ProfileOptions, ProfileReport};
use std::path::Path;

/// How many DAG nodes the report draws by default (see [`HtmlReport::max_graph_nodes`]).
pub const DEFAULT_MAX_GRAPH_NODES: usize = 400;

/// The HTML report of one [`Execution`]; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct HtmlReport<'a> {
    execution: &'a Execution,
    options: ProfileOptions,
    max_graph_nodes: usize,
}

impl<'a> HtmlReport<'a> {
    /// The report of `execution`, a run of `dag` (a [`Dag`](crate::Dag) or a
    /// [`GraphDag`](crate::GraphDag)). As with [`profile_execution`](crate::profile_execution),
    /// the execution carries its own graph: `dag` is there to read naturally at the call site.
    #[must_use]
    pub fn new<D: ?Sized>(dag: &D, execution: &'a Execution) -> Self {
        let _ = dag;
        Self::from_execution(execution)
    }

    /// The report of `execution`.
    #[must_use]
    pub fn from_execution(execution: &'a Execution) -> Self {
        Self {
            execution,
            options: ProfileOptions::default(),
            max_graph_nodes: DEFAULT_MAX_GRAPH_NODES,
        }
    }

    /// The profiling thresholds (bottlenecks, stragglers, shortest idle gap) the report's
    /// tables use; the idle gaps per worker drop gaps shorter than `min_gap` too.
    #[must_use]
    pub fn profile_options(mut self, options: ProfileOptions) -> Self {
        self.options = options;
        self
    }

    /// Draw at most `n` nodes of the DAG (default [`DEFAULT_MAX_GRAPH_NODES`]): whole
    /// topological levels from the first while they fit (the first `n` nodes of the first
    /// level when even that one does not). The page says how many nodes and levels it left
    /// out. The Gantt chart and the tables always cover every task.
    #[must_use]
    pub fn max_graph_nodes(mut self, n: usize) -> Self {
        self.max_graph_nodes = n;
        self
    }

    /// The profile the report shows.
    #[must_use]
    pub fn profile(&self) -> ProfileReport {
        ProfileReport::from_execution_with(self.execution, &self.options)
    }

    /// The page: one self-contained HTML document.
    #[must_use]
    pub fn render(&self) -> String {
        let profile = self.profile();
        let data = data::ReportData::build(
            self.execution,
            &profile,
            &self.options,
            self.max_graph_nodes,
        );
        page::html(self.execution.dag_name(), &data.to_embedded_json())
    }

    /// Writes [`render`](Self::render)'s page to `path` (creating or truncating the file).
    ///
    /// # Errors
    /// The I/O error of writing the file.
    pub fn write(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.render())
    }
}
