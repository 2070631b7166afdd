//! Progress: a live display of a run on the terminal — tasks done of total, what runs now,
//! failures and retries as they happen, and an ETA from the DAG's recorded history.
//!
//! [`Progress`] is an [`Observer`]: install it with [`Dag::observe`](crate::Dag::observe) (or
//! [`GraphDag::observe`](crate::GraphDag::observe)).
//!
//! ```standalone_crate
//! use dag::{task, Dag, progress::Progress};
//!
//! #[task]
//! fn fetch() -> u32 { 7 }
//!
//! #[task(final)]
//! fn double(fetch: &u32) -> u32 { fetch * 2 }
//!
//! // A bar on stderr when it is a terminal, nothing otherwise; the ETA comes from the
//! // runs recorded under ./meta with `.profile(true)`.
//! let dag = Dag::new("example").observe(Progress::auto().with_history("meta"));
//! assert_eq!(dag.run::<u32>()?, 14);
//! # Ok::<(), dag::Error>(())
//! ```
//!
//! The bar reads `⠋ [2s] ██████░░░░ 3/5 tasks  ETA 1.5s · 1 failed  running: load, audit`; a
//! failed task and a retried attempt each print a line above it (`FAILED  task ...`,
//! `RETRY   task ...`) with the error; the last line says `done in 2.3s` or what did not
//! complete. The ETA is the makespan of what is left, predicted as `dag estimate` predicts a
//! run (list scheduling on the workers, see [`estimate`](crate::profile::estimate)): each
//! unfinished task takes its recorded mean runtime ([`MetaDb::mean_runtimes`]), a running
//! one less what it already ran. It reads `no history` when no task of the DAG has a recorded
//! completed run, and `ETA ≥ ...` when some tasks have none (they count as 0).
//!
//! When it draws: [`Progress::auto`] (and [`Progress::new`]) only when stderr is a terminal
//! whose `TERM` is not `dumb`; [`Progress::always`] also when stderr is a pipe or a file: there
//! the bar is written as plain lines, at most one a second (each failure, retry and the end
//! at once), fit for a log. A display that does not draw costs nothing: it does not even read
//! the history.

mod log;
mod text;
mod track;

#[cfg(test)]
mod tests;

use crate::exec::{Execution, NodeStatus};
use crate::graph::Graph;
use crate::meta::MetaDb;
use crate::observe::{Observer, TaskRef};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use track::Tracker;

/// The bar while the run goes on: spinner, elapsed time, bar, count, ETA and counts, names.
const RUNNING: &str = "{spinner} [{elapsed}] {bar:30} {pos}/{len} tasks  {status}  {wide_msg}";
/// The bar off a terminal, one line per redraw: no spinner, no bar.
const LOGGING: &str = "[{elapsed}] {pos}/{len} tasks  {status}  {msg}";
/// The bar once the run ended.
const FINISHED: &str = "[{elapsed}] {bar:30} {pos}/{len} tasks  {msg}";
/// How often the ETA is worked out again at most (it simulates the rest of the run).
const ETA_EVERY: Duration = Duration::from_millis(200);
/// Characters of the running tasks' names shown at most (the terminal's width cuts further).
const NAMES_WIDTH: usize = 60;

/// When a [`Progress`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Draw {
    /// Only on a terminal.
    Auto,
    /// Also on a pipe or a file.
    Always,
}

/// A live progress display of a run on stderr (see the [module docs](self)).
pub struct Progress {
    draw: Draw,
    history: Option<PathBuf>,
    workers: Option<usize>,
    live: Mutex<Option<Live>>,
}

/// The display of the run under way.
struct Live {
    bar: ProgressBar,
    tracker: Arc<Mutex<Tracker>>,
    /// Held from a tracker update until the bar has it: the bar gets the updates in the
    /// tracker's order (its count never goes back). Not taken by the bar's drawing.
    order: Arc<Mutex<()>>,
    start: Instant,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("draw", &self.draw)
            .field("history", &self.history)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::auto()
    }
}

impl Progress {
    /// [`Progress::auto`]: draws only when stderr is a terminal.
    #[must_use]
    pub fn new() -> Self {
        Progress::auto()
    }

    /// Draws on stderr when it is a terminal (and `TERM` is not `dumb`); otherwise the run
    /// shows nothing.
    #[must_use]
    pub fn auto() -> Self {
        Progress::with_draw(Draw::Auto)
    }

    /// Draws on stderr whatever it is: a terminal, a pipe or a file (off a terminal as plain
    /// lines, at most one a second, plus each failure, retry and the end).
    #[must_use]
    pub fn always() -> Self {
        Progress::with_draw(Draw::Always)
    }

    fn with_draw(draw: Draw) -> Self {
        Progress {
            draw,
            history: None,
            workers: None,
            live: Mutex::new(None),
        }
    }

    /// Shows an ETA from the runs of this DAG recorded under `meta_dir` (by
    /// [`Dag::profile`](crate::Dag::profile); see [`MetaDb::mean_runtimes`]); `no history`
    /// when there are none. Without it, no ETA is shown.
    #[must_use]
    pub fn with_history(mut self, meta_dir: impl Into<PathBuf>) -> Self {
        self.history = Some(meta_dir.into());
        self
    }

    /// The workers the ETA divides the remaining work among [default: the number of CPUs,
    /// as a `Dag` without [`max_workers`](crate::Dag::max_workers) runs]. Set it to the
    /// DAG's `max_workers` when that is set (an observer is not told the pool's size).
    #[must_use]
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.max(1));
        self
    }

    /// Whether a run would be drawn now (see [`auto`](Progress::auto) and
    /// [`always`](Progress::always)).
    #[must_use]
    pub fn draws(&self) -> bool {
        match self.draw {
            Draw::Always => true,
            Draw::Auto => !ProgressDrawTarget::stderr().is_hidden(),
        }
    }

    /// Where this run is drawn, and whether that is off a terminal: `None` when it is not
    /// drawn.
    fn target(&self) -> Option<(ProgressDrawTarget, bool)> {
        let stderr = ProgressDrawTarget::stderr();
        match (self.draw, stderr.is_hidden()) {
            (_, false) => Some((stderr, false)),
            (Draw::Auto, true) => None,
            // At most one redraw a second (failures, retries and the end as they happen).
            (Draw::Always, true) => Some((
                ProgressDrawTarget::term_like_with_hz(
                    Box::new(log::LogLines::new(std::io::stderr())),
                    1,
                ),
                true,
            )),
        }
    }

    /// Updates the tracker with `f`, then the bar's count and running names; `after` runs
    /// on the bar before the next update reaches it. The tracker's lock is released before
    /// the bar is touched: the bar's drawing takes it too.
    fn update(&self, f: impl FnOnce(&mut Tracker, Duration), after: impl FnOnce(&ProgressBar)) {
        let Some((bar, tracker, order, start)) = self
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|l| (l.bar.clone(), l.tracker.clone(), l.order.clone(), l.start))
        else {
            return;
        };
        let _order = order.lock().unwrap_or_else(PoisonError::into_inner);
        let (done, names) = {
            let mut t = tracker.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut t, start.elapsed());
            (t.done, text::running_text(t.running(), NAMES_WIDTH))
        };
        bar.set_message(names);
        bar.set_position(done as u64);
        after(&bar);
    }
}

/// The style of the bar under way; its `{status}` key is worked out at each redraw.
fn running_style(template: &str, tracker: Arc<Mutex<Tracker>>, start: Instant) -> ProgressStyle {
    let status = move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
        let (eta, counts) = {
            let mut t = tracker.lock().unwrap_or_else(PoisonError::into_inner);
            (
                text::eta_text(&t.eta_every(start.elapsed(), ETA_EVERY)),
                text::counts_text(t.failed, t.retries),
            )
        };
        let parts: Vec<&str> = [eta.as_str(), counts.as_str()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        let _ = w.write_str(&parts.join(" · "));
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("status", status)
        .progress_chars("█▓░")
}

/// The style of the bar once the run ended.
fn finished_style() -> ProgressStyle {
    ProgressStyle::with_template(FINISHED)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("█▓░")
}

impl Observer for Progress {
    fn run_started(&self, dag: &str, _run_id: &str, graph: &Graph) {
        let Some((target, off_terminal)) = self.target() else {
            return;
        };
        let mut note = None;
        let means = self.history.as_ref().map(|dir| {
            MetaDb::open(dir).mean_runtimes(dag).unwrap_or_else(|e| {
                note = Some(format!(
                    "progress: no ETA: the history in {} cannot be read: {e}",
                    dir.display()
                ));
                Default::default()
            })
        });
        let workers = self
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let order = graph.topological_order();
        let mut position = vec![0; graph.len()];
        for (i, n) in order.iter().enumerate() {
            position[n.index()] = i;
        }
        let tasks = order.iter().map(|&n| {
            let preds = graph.predecessors(n).iter().map(|p| position[p.index()]);
            (graph.name(n), preds.collect())
        });
        let tracker = Tracker::new(tasks, means.as_ref(), workers);
        let tracker = Arc::new(Mutex::new(tracker));
        let start = Instant::now();
        let bar = ProgressBar::with_draw_target(Some(graph.len() as u64), target).with_style(
            running_style(
                if off_terminal { LOGGING } else { RUNNING },
                tracker.clone(),
                start,
            ),
        );
        if let Some(note) = note {
            bar.println(note);
        }
        if !off_terminal {
            // Redraws the spinner, the elapsed time and the ETA between events.
            bar.enable_steady_tick(Duration::from_millis(100));
        }
        *self.live.lock().unwrap_or_else(PoisonError::into_inner) = Some(Live {
            bar,
            tracker,
            order: Arc::default(),
            start,
        });
    }

    fn task_started(&self, task: &TaskRef<'_>) {
        self.update(|t, now| t.started(task.task, now), |_| {});
    }

    fn task_finished(&self, task: &TaskRef<'_>, status: NodeStatus, error: Option<&str>) {
        let failed = matches!(status, NodeStatus::Failed | NodeStatus::TimedOut);
        self.update(
            |t, _| t.finished(task.task, failed),
            |bar| {
                if failed {
                    bar.println(text::failure_line(task.task, status.as_str(), error));
                }
            },
        );
    }

    fn task_retrying(&self, task: &TaskRef<'_>, error: &str, delay: Duration) {
        self.update(
            |t, _| t.retrying(task.task),
            |bar| bar.println(text::retry_line(task.task, task.attempt, error, delay)),
        );
    }

    fn run_finished(&self, execution: &Execution) {
        let Some(live) = self
            .live
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        let (mut failed, mut not_run) = (0, 0);
        for n in execution.nodes() {
            match n.status {
                NodeStatus::Failed | NodeStatus::TimedOut => failed += 1,
                NodeStatus::Skipped | NodeStatus::Cancelled => not_run += 1,
                _ => {}
            }
        }
        let bar = live.bar;
        bar.disable_steady_tick();
        bar.set_style(finished_style());
        bar.finish_with_message(text::final_text(
            execution.total_duration_seconds(),
            failed,
            not_run,
        ));
    }
}
