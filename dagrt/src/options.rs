//! TaskOptions: what a task asks of a run beyond running its body, and the one place where a
//! task's options meet the DAG's defaults.
//!
//! An option travels in one piece: the macro parses `#[task(...)]` (dagmacros/src/args.rs) and
//! builds a [`TaskOptions`] with its `const` setters; a [`Dag`](crate::Dag) holds the DAG-wide
//! defaults as a `TaskOptions` too; [`TaskOptions::resolve`] merges both with the built-in
//! defaults into the [`Resolved`] options the executor reads where the option acts. Adding an
//! option is a parser arm, a field here, and the code that acts on it.

use std::time::Duration;

/// Extra attempts of a failing task when neither the task nor its DAG says.
pub(crate) const DEFAULT_RETRIES: u32 = 0;
/// First delay between two attempts when neither the task nor its DAG says.
pub(crate) const DEFAULT_BACKOFF: Duration = Duration::from_millis(100);

/// The options of one task (`#[task(cache, version = "2", retries = 3, backoff = "1s")]`), or
/// the defaults a DAG gives its tasks (`Dag::retries`, `Dag::backoff`, `Dag::cache`).
///
/// A field is `None` where nothing was said: a task's option wins over its DAG's, which wins
/// over the built-in default (no retries, 100 ms backoff, not cached).
///
/// ```
/// use dag::TaskOptions;
/// use std::time::Duration;
///
/// const OPTIONS: TaskOptions = TaskOptions::NONE.retries(3).backoff(Duration::from_secs(1));
/// assert_eq!(OPTIONS.retries, Some(3));
/// assert_eq!(OPTIONS.cache, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TaskOptions {
    /// Whether the output goes to the content-addressed cache.
    pub cache: Option<bool>,
    /// Part of the cache key, for what the code does not show (`#[task(version = "2")]`).
    pub version: Option<&'static str>,
    /// Extra attempts after a failure.
    pub retries: Option<u32>,
    /// First delay between attempts; it doubles after each failure (with jitter) and never
    /// exceeds 10 minutes.
    pub backoff: Option<Duration>,
    /// How long one attempt may run before it ends `TimedOut` (`#[task(timeout = "5s")]`).
    pub timeout: Option<Duration>,
    /// What the task holds while it runs, by pool name (`#[task(resources(gpu = 1))]`); each
    /// pool is declared with `Dag::resource`.
    pub resources: Option<&'static [(&'static str, u32)]>,
    /// Whether the task waits for an approval before it runs (`#[task(gate)]`).
    pub gate: Option<bool>,
    /// How long a gate waits for its decision before the task ends `TimedOut`
    /// (`#[task(gate, gate_timeout = "1h")]`).
    pub gate_timeout: Option<Duration>,
}

impl TaskOptions {
    /// Nothing said: every option is left to the DAG, then to the built-in default.
    pub const NONE: TaskOptions = TaskOptions {
        cache: None,
        version: None,
        retries: None,
        backoff: None,
        timeout: None,
        resources: None,
        gate: None,
        gate_timeout: None,
    };

    /// Sets `cache`.
    #[must_use]
    pub const fn cache(mut self, on: bool) -> Self {
        self.cache = Some(on);
        self
    }

    /// Sets `version`.
    #[must_use]
    pub const fn version(mut self, version: &'static str) -> Self {
        self.version = Some(version);
        self
    }

    /// Sets `retries`.
    #[must_use]
    pub const fn retries(mut self, n: u32) -> Self {
        self.retries = Some(n);
        self
    }

    /// Sets `backoff`.
    #[must_use]
    pub const fn backoff(mut self, first_delay: Duration) -> Self {
        self.backoff = Some(first_delay);
        self
    }

    /// Sets `timeout`.
    #[must_use]
    pub const fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Sets `resources`: `(pool, amount)` pairs.
    #[must_use]
    pub const fn resources(mut self, needs: &'static [(&'static str, u32)]) -> Self {
        self.resources = Some(needs);
        self
    }

    /// Sets `gate`.
    #[must_use]
    pub const fn gate(mut self, on: bool) -> Self {
        self.gate = Some(on);
        self
    }

    /// Sets `gate_timeout`.
    #[must_use]
    pub const fn gate_timeout(mut self, limit: Duration) -> Self {
        self.gate_timeout = Some(limit);
        self
    }

    /// Whether these options make a task wait for something beyond its inputs: a deadline, a
    /// resource or a gate (such tasks run on the waiting scheduler).
    pub(crate) fn waits(&self) -> bool {
        self.timeout.is_some()
            || self.resources.is_some_and(|r| !r.is_empty())
            || self.gate == Some(true)
            // Checked with the rest (a gate_timeout without a gate is an error).
            || self.gate_timeout.is_some()
    }

    /// This task's options merged with its DAG's `defaults` and the built-in defaults: the
    /// only place where they meet.
    pub(crate) fn resolve(self, defaults: &TaskOptions) -> Resolved {
        Resolved {
            cache: self.cache.or(defaults.cache).unwrap_or(false),
            version: self.version.or(defaults.version).unwrap_or(""),
            retries: self.retries.or(defaults.retries).unwrap_or(DEFAULT_RETRIES),
            backoff: self.backoff.or(defaults.backoff).unwrap_or(DEFAULT_BACKOFF),
            timeout: self.timeout.or(defaults.timeout),
            resources: self.resources.or(defaults.resources).unwrap_or(&[]),
            gate: self.gate.or(defaults.gate).unwrap_or(false),
            gate_timeout: self.gate_timeout.or(defaults.gate_timeout),
        }
    }
}

/// The options one task of one run acts on (see [`TaskOptions::resolve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub cache: bool,
    pub version: &'static str,
    pub retries: u32,
    pub backoff: Duration,
    pub timeout: Option<Duration>,
    pub resources: &'static [(&'static str, u32)],
    pub gate: bool,
    pub gate_timeout: Option<Duration>,
}

impl Resolved {
    /// Whether the task needs more than a plain run: retries or the cache.
    pub(crate) fn beyond_plain(&self) -> bool {
        self.cache || self.retries > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_wins_over_its_dag_which_wins_over_the_defaults() {
        let dag = TaskOptions::NONE.retries(2).cache(true);
        let task = TaskOptions::NONE.retries(5).version("v2");
        let r = task.resolve(&dag);
        assert_eq!(
            r,
            Resolved {
                cache: true,
                version: "v2",
                retries: 5,
                backoff: DEFAULT_BACKOFF,
                timeout: None,
                resources: &[],
                gate: false,
                gate_timeout: None,
            }
        );
        let r = TaskOptions::NONE.resolve(&TaskOptions::NONE);
        assert_eq!((r.cache, r.retries, r.version), (false, 0, ""));
        assert!(!r.beyond_plain());
        // A task's `cache` stays on when its DAG says `.cache(false)`.
        let r = TaskOptions::NONE
            .cache(true)
            .resolve(&TaskOptions::NONE.cache(false));
        assert!(r.cache && r.beyond_plain());
    }
}
