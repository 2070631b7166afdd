//! Tests of the progress display's bookkeeping, ETA arithmetic and texts (no terminal).

use super::text::{
    counts_text, eta_text, failure_line, final_text, human, retry_line, running_text,
};
use super::track::{Eta, Tracker};
use super::{FINISHED, LOGGING, RUNNING};
use std::collections::HashMap;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn means(pairs: &[(&str, f64)]) -> HashMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Independent tasks (no dependencies).
fn flat<'a>(names: &'a [&'a str]) -> impl Iterator<Item = (&'a str, Vec<usize>)> + 'a {
    names.iter().map(|&n| (n, Vec::new()))
}

fn left(eta: Eta) -> (f64, usize) {
    match eta {
        Eta::Left {
            seconds,
            unrecorded,
        } => (seconds, unrecorded),
        other => panic!("no ETA: {other:?}"),
    }
}

#[test]
fn the_running_set_follows_starts_ends_and_retries() {
    let mut t = Tracker::new(flat(&["a", "b", "c", "d"]), None, 2);
    assert_eq!(t.done, 0);
    t.started("a", ms(0));
    t.started("b", ms(10));
    assert_eq!(t.running().collect::<Vec<_>>(), ["a", "b"]);
    t.finished("a", false);
    assert_eq!(t.running().collect::<Vec<_>>(), ["b"]);
    assert_eq!((t.done, t.failed), (1, 0));
    // A retried attempt leaves the running set until its next attempt starts.
    t.retrying("b");
    assert_eq!(t.running().count(), 0);
    assert_eq!(t.retries, 1);
    t.started("b", ms(50));
    t.started("c", ms(60));
    assert_eq!(t.running().collect::<Vec<_>>(), ["b", "c"]);
    t.finished("b", true);
    // A task that ends without starting (skipped, cancelled, reused) counts as done.
    t.finished("d", false);
    // An end told twice counts once; a name not in the run is ignored.
    t.finished("d", false);
    t.started("zz", ms(0));
    t.finished("zz", true);
    assert_eq!((t.done, t.failed), (3, 1));
    assert_eq!(t.running().collect::<Vec<_>>(), ["c"]);
    // A second start without an end keeps one entry.
    t.started("c", ms(70));
    assert_eq!(t.running().collect::<Vec<_>>(), ["c"]);
    t.finished("c", false);
    assert_eq!((t.done, t.failed, t.retries), (4, 1, 1));
}

#[test]
fn the_eta_schedules_what_is_left_on_the_workers() {
    let history = means(&[("a", 2.0), ("b", 1.0), ("c", 3.0), ("d", 0.5)]);
    let mut t = Tracker::new(flat(&["a", "b", "c", "d"]), Some(&history), 2);
    // Two workers: c (3) on one; a (2), b (1), d (0.5) on the other = 3.5.
    assert_eq!(left(t.eta(ms(0))), (3.5, 0));
    // After 1 s, `c` has 2 s left and `a` (started at 0.5 s) 1.5 s; then a's worker takes
    // b at 1.5 (ends at 2.5) and c's takes d at 2 (ends at 2.5).
    t.started("c", ms(0));
    t.started("a", ms(500));
    assert_eq!(left(t.eta(ms(1000))), (2.5, 0));
    // A task that overran its mean has nothing left, never less than nothing.
    t.finished("a", false);
    t.finished("b", false);
    t.finished("d", false);
    assert_eq!(left(t.eta(ms(5000))), (0.0, 0));
    t.finished("c", false);
    assert_eq!(left(t.eta(ms(5000))), (0.0, 0));
}

#[test]
fn the_eta_of_a_chain_adds_its_links_whatever_the_workers() {
    let history = means(&[("a", 0.5), ("b", 1.0), ("c", 2.0)]);
    let chain = [("a", vec![]), ("b", vec![0]), ("c", vec![1])];
    let mut t = Tracker::new(chain.iter().cloned(), Some(&history), 4);
    assert_eq!(left(t.eta(ms(0))), (3.5, 0));
    t.started("a", ms(0));
    t.finished("a", false);
    t.started("b", ms(500));
    // b ran 0.25 s of its 1 s: 0.75 + 2.
    assert_eq!(left(t.eta(ms(750))), (2.75, 0));
    // Diamond: x → (y, z) → w on 1 worker is the sum, on 2 the longer branch.
    let history = means(&[("x", 1.0), ("y", 2.0), ("z", 0.5), ("w", 1.0)]);
    let diamond = [
        ("x", vec![]),
        ("y", vec![0]),
        ("z", vec![0]),
        ("w", vec![1, 2]),
    ];
    let one = Tracker::new(diamond.iter().cloned(), Some(&history), 1);
    assert_eq!(left(one.eta(ms(0))), (4.5, 0));
    let two = Tracker::new(diamond.iter().cloned(), Some(&history), 2);
    assert_eq!(left(two.eta(ms(0))), (4.0, 0));
}

#[test]
fn the_eta_is_worked_out_again_only_when_it_is_old() {
    let history = means(&[("a", 2.0), ("b", 1.0)]);
    let mut t = Tracker::new(flat(&["a", "b"]), Some(&history), 1);
    let every = ms(200);
    assert_eq!(left(t.eta_every(ms(0), every)), (3.0, 0));
    t.finished("a", false);
    // 100 ms later: the last one still stands.
    assert_eq!(left(t.eta_every(ms(100), every)), (3.0, 0));
    // 200 ms after it: worked out again.
    assert_eq!(left(t.eta_every(ms(200), every)), (1.0, 0));
    assert_eq!(left(t.eta(ms(250))), (1.0, 0));
}

#[test]
fn tasks_without_history_count_as_zero_and_are_counted() {
    let history = means(&[("a", 2.0), ("other_dag_task", 9.0), ("nan", f64::NAN)]);
    let mut t = Tracker::new(flat(&["a", "b", "nan"]), Some(&history), 1);
    assert_eq!(left(t.eta(ms(0))), (2.0, 2));
    t.finished("b", false);
    assert_eq!(left(t.eta(ms(0))), (2.0, 1));
    assert_eq!(eta_text(&t.eta(ms(0))), "ETA ≥ 2.0s (1 task unrecorded)");
}

#[test]
fn without_history_there_is_no_eta() {
    // No mean for any task of this run (only for another DAG's task).
    let t = Tracker::new(flat(&["a", "b"]), Some(&means(&[("x", 1.0)])), 2);
    assert_eq!(t.eta(ms(0)), Eta::NoHistory);
    assert_eq!(eta_text(&t.eta(ms(0))), "no history");
    let t = Tracker::new(flat(&["a"]), Some(&means(&[])), 2);
    assert_eq!(t.eta(ms(0)), Eta::NoHistory);
    // No history asked for: nothing is shown.
    let t = Tracker::new(flat(&["a"]), None, 2);
    assert_eq!(t.eta(ms(0)), Eta::NotAsked);
    assert_eq!(eta_text(&Eta::NotAsked), "");
    // Zero workers plan for one.
    let history = means(&[("a", 1.0), ("b", 1.0)]);
    let t = Tracker::new(flat(&["a", "b"]), Some(&history), 0);
    assert_eq!(left(t.eta(ms(0))), (2.0, 0));
}

#[test]
fn durations_read_as_people_write_them() {
    assert_eq!(human(0.0), "0.0s");
    assert_eq!(human(0.44), "0.4s");
    assert_eq!(human(9.9), "9.9s");
    assert_eq!(human(9.96), "10s");
    assert_eq!(human(42.4), "42s");
    assert_eq!(human(185.0), "3m05s");
    assert_eq!(human(7620.0), "2h07m");
    assert_eq!(human(-3.0), "0.0s");
    assert_eq!(human(f64::INFINITY), "0.0s");
    assert_eq!(
        eta_text(&Eta::Left {
            seconds: 3.25,
            unrecorded: 0
        }),
        "ETA 3.2s"
    );
    assert_eq!(
        eta_text(&Eta::Left {
            seconds: 61.0,
            unrecorded: 3
        }),
        "ETA ≥ 1m01s (3 tasks unrecorded)"
    );
}

#[test]
fn the_running_names_fit_their_width() {
    let none: [&str; 0] = [];
    assert_eq!(running_text(none, 40), "");
    assert_eq!(running_text(["load"], 40), "running: load");
    assert_eq!(
        running_text(["load", "audit", "fetch"], 40),
        "running: load, audit, fetch"
    );
    // "running: load, audit, fetch" is 27 characters: at 25 the last name gives way.
    assert_eq!(
        running_text(["load", "audit", "fetch"], 25),
        "running: load, +2 more"
    );
    assert_eq!(
        running_text(["load", "audit", "fetch", "store"], 30),
        "running: load, audit, +2 more"
    );
    // A single name too long for the width is cut.
    assert_eq!(
        running_text(["a_very_long_task_name"], 20),
        "running: a_very_lon…"
    );
    assert_eq!(
        running_text(["a_very_long_task_name", "b"], 28),
        "running: a_very_lo…, +1 more"
    );
}

#[test]
fn failures_retries_and_the_end_are_worded() {
    assert_eq!(
        failure_line("store", "failed", Some("disk full while storing 7")),
        "FAILED  task `store` failed: disk full while storing 7"
    );
    assert_eq!(
        failure_line("wait", "timed_out", None),
        "FAILED  task `wait` timed_out: no error message"
    );
    assert_eq!(
        retry_line("fetch", 1, "connection reset", ms(250)),
        "RETRY   task `fetch` attempt 1 failed: connection reset; trying again in 250ms"
    );
    assert_eq!(
        retry_line("fetch", 2, "reset", Duration::from_micros(11_941)),
        "RETRY   task `fetch` attempt 2 failed: reset; trying again in 11ms"
    );
    assert_eq!(
        retry_line("fetch", 3, "reset", ms(1500)),
        "RETRY   task `fetch` attempt 3 failed: reset; trying again in 1.5s"
    );
    assert_eq!(counts_text(0, 0), "");
    assert_eq!(counts_text(1, 0), "1 failed");
    assert_eq!(counts_text(0, 1), "1 retry");
    assert_eq!(counts_text(2, 3), "2 failed, 3 retries");
    assert_eq!(final_text(1.234, 0, 0), "done in 1.2s");
    assert_eq!(
        final_text(12.0, 1, 2),
        "finished in 12s: 1 failed, 2 not run"
    );
}

#[test]
fn the_templates_parse() {
    assert!(indicatif::ProgressStyle::with_template(RUNNING).is_ok());
    assert!(indicatif::ProgressStyle::with_template(FINISHED).is_ok());
    assert!(indicatif::ProgressStyle::with_template(LOGGING).is_ok());
}

/// A buffer the bar writes into and the test reads.
#[derive(Debug, Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn off_a_terminal_each_redraw_is_plain_lines() {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let out = Shared::default();
    let target =
        ProgressDrawTarget::term_like_with_hz(Box::new(super::log::LogLines::new(out.clone())), 1);
    let bar = ProgressBar::with_draw_target(Some(2), target)
        .with_style(ProgressStyle::with_template("{pos}/{len} tasks  {wide_msg}").unwrap());
    bar.set_message("running: a");
    bar.set_message("running: a");
    bar.inc(1);
    bar.println("FAILED  task `a` failed: boom");
    bar.inc(1);
    bar.finish_with_message("done in 0.1s");
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    // No cursor moves, no carriage returns, no padding: whole lines.
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    assert!(
        text.lines().all(|l| !l.is_empty() && l == l.trim_end()),
        "{text:?}"
    );
    assert!(text.ends_with('\n'), "{text:?}");
    let lines: Vec<&str> = text.lines().collect();
    // A redraw that changes nothing writes no line.
    assert!(lines.windows(2).all(|w| w[0] != w[1]), "{text:?}");
    // Forced draws: the failure (with the bar under it) and the end; the rest is rate-limited.
    let failed = lines
        .iter()
        .position(|l| *l == "FAILED  task `a` failed: boom");
    let failed = failed.expect("the failure's line");
    assert_eq!(lines[failed + 1], "1/2 tasks  running: a");
    assert_eq!(lines.last(), Some(&"2/2 tasks  done in 0.1s"));
}
