//! Tracker: what the progress display knows about a run — tasks done, running and failed,
//! retries, and the ETA from recorded mean runtimes. Pure bookkeeping: no terminal, no clock
//! (times are offsets from the run's start, given by the caller).

use std::collections::HashMap;
use std::time::Duration;

/// The estimated time left, as [`Tracker::eta`] works it out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Eta {
    /// No history was asked for ([`Progress::with_history`](super::Progress::with_history)).
    NotAsked,
    /// History was asked for, but no task of this run has a recorded mean runtime.
    NoHistory,
    /// `seconds` left; `unrecorded` unfinished tasks have no recorded runtime and are counted
    /// as taking no time (the ETA is then a lower bound).
    Left { seconds: f64, unrecorded: usize },
}

/// The state of one run, updated by the observer's callbacks.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    /// Tasks that ended, in any status.
    pub done: usize,
    /// Tasks that failed or timed out.
    pub failed: usize,
    /// Attempts that failed and were tried again.
    pub retries: usize,
    /// The tasks' names, in a topological order.
    names: Vec<String>,
    /// The position of each name in `names`.
    index: HashMap<String, usize>,
    /// Each task's direct dependencies, as positions in `names` (smaller than its own).
    preds: Vec<Vec<usize>>,
    /// Whether each task ended.
    ended: Vec<bool>,
    /// Tasks whose body runs now, with the offset it started at, oldest first.
    running: Vec<(usize, Duration)>,
    /// Each task's recorded mean runtime (seconds), if any.
    means: Vec<Option<f64>>,
    /// Whether history was asked for.
    asked: bool,
    /// Workers the remaining work is scheduled on (at least 1).
    workers: usize,
    /// The last ETA worked out by [`Tracker::eta_every`], and when.
    last: Option<(Duration, Eta)>,
}

impl Tracker {
    /// A run of `tasks` — `(name, dependencies)` in a topological order, each dependency the
    /// position of an earlier task — on `workers` workers, with the recorded mean runtimes
    /// `means` (`None`: no history asked for).
    pub fn new<'a>(
        tasks: impl IntoIterator<Item = (&'a str, Vec<usize>)>,
        means: Option<&HashMap<String, f64>>,
        workers: usize,
    ) -> Self {
        let (names, preds): (Vec<String>, Vec<Vec<usize>>) = tasks
            .into_iter()
            .map(|(name, preds)| (name.to_string(), preds))
            .unzip();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let asked = means.is_some();
        let means = names
            .iter()
            .map(|n| {
                means
                    .and_then(|m| m.get(n))
                    .copied()
                    .filter(|d| d.is_finite())
            })
            .collect();
        Tracker {
            ended: vec![false; names.len()],
            names,
            index,
            preds,
            means,
            asked,
            workers: workers.max(1),
            ..Tracker::default()
        }
    }

    /// An attempt of `task` started at `at`. A task already running (a second attempt
    /// without a retry in between) keeps its place and takes the new start. Unknown names
    /// are ignored.
    pub fn started(&mut self, task: &str, at: Duration) {
        let Some(&i) = self.index.get(task) else {
            return;
        };
        match self.running.iter_mut().find(|(t, _)| *t == i) {
            Some(entry) => entry.1 = at,
            None => self.running.push((i, at)),
        }
    }

    /// `task` ended (`failed`: it failed or timed out). A task may end without having
    /// started (skipped, cancelled, reused); a task that already ended is not counted twice.
    pub fn finished(&mut self, task: &str, failed: bool) {
        let Some(&i) = self.index.get(task) else {
            return;
        };
        self.running.retain(|(t, _)| *t != i);
        if !self.ended[i] {
            self.ended[i] = true;
            self.done += 1;
            self.failed += usize::from(failed);
        }
    }

    /// An attempt of `task` failed and it runs again later: it is no longer running.
    pub fn retrying(&mut self, task: &str) {
        let Some(&i) = self.index.get(task) else {
            return;
        };
        self.running.retain(|(t, _)| *t != i);
        self.retries += 1;
    }

    /// The running tasks' names, oldest first.
    pub fn running(&self) -> impl Iterator<Item = &str> {
        self.running.iter().map(|&(i, _)| self.names[i].as_str())
    }

    /// [`Tracker::eta`], worked out again only when the last one is `every` old: a redraw
    /// of a large DAG then stays cheap (a redraw may come from every task's end).
    pub fn eta_every(&mut self, now: Duration, every: Duration) -> Eta {
        if let Some((at, eta)) = &self.last
            && now.saturating_sub(*at) < every
        {
            return eta.clone();
        }
        let eta = self.eta(now);
        self.last = Some((now, eta.clone()));
        eta
    }

    /// The time left at offset `now`: the makespan that [`profile::estimate`] predicts for
    /// the tasks not ended yet on the workers (the same list scheduling as `dag estimate`),
    /// each taking its recorded mean runtime, a running one less what it already ran (never
    /// below 0); the dependencies on ended tasks are dropped.
    ///
    /// [`profile::estimate`]: crate::profile::estimate
    pub fn eta(&self, now: Duration) -> Eta {
        if !self.asked {
            return Eta::NotAsked;
        }
        if self.means.iter().all(Option::is_none) {
            return Eta::NoHistory;
        }
        let mut position = vec![usize::MAX; self.names.len()];
        let mut input = crate::profile::EstimateInput::default();
        let mut unrecorded = 0;
        for (i, name) in self.names.iter().enumerate() {
            if self.ended[i] {
                continue;
            }
            position[i] = input.names.len();
            let ran = self
                .running
                .iter()
                .find(|(t, _)| *t == i)
                .map_or(0.0, |(_, at)| now.saturating_sub(*at).as_secs_f64());
            let left = match self.means[i] {
                Some(mean) => (mean - ran).max(0.0),
                None => {
                    unrecorded += 1;
                    0.0
                }
            };
            input.names.push(name.clone());
            input.durations.push(left);
            input.preds.push(
                self.preds[i]
                    .iter()
                    .filter_map(|&p| position.get(p).copied().filter(|&q| q != usize::MAX))
                    .collect(),
            );
        }
        Eta::Left {
            seconds: crate::profile::estimate(&input, self.workers).makespan,
            unrecorded,
        }
    }
}
