//! The progress display as a user sees it: dag-demo's `run` in a real terminal (tmux, read
//! with `capture-pane` while the run goes on and after it ended), and with stderr piped.
//!
//! Without tmux these tests print why they skip; with `DAG_REQUIRE_TMUX=1` (CI) they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The demo binary.
const DEMO: &str = env!("CARGO_BIN_EXE_dag-demo");
/// The `steps` DAG's tasks, in the order they run (a chain).
const STEPS: [&str; 4] = ["prepare", "extract", "transform", "load"];
/// How long a screen may take to show what is awaited.
const PATIENCE: Duration = Duration::from_secs(60);

/// Whether tmux runs here; without it, says why the test skips, or fails under
/// `DAG_REQUIRE_TMUX=1`.
fn have_tmux() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("DAG_REQUIRE_TMUX").is_none_or(|v| v != "1"),
            "tmux is not installed and DAG_REQUIRE_TMUX=1: apt-get install -y tmux"
        );
        eprintln!(
            "skipped: tmux is not installed (apt-get install -y tmux; DAG_REQUIRE_TMUX=1 \
             makes this a failure)"
        );
    }
    ok
}

/// A 120×30 terminal of its own tmux server, running one shell command; the server is
/// killed when this is dropped.
struct Terminal {
    socket: String,
}

impl Terminal {
    /// Runs `dag-demo args` in a new terminal; after it ends the pane shows `exit=CODE` and
    /// stays open.
    fn run(args: &str) -> Terminal {
        static N: AtomicU32 = AtomicU32::new(0);
        let socket = format!(
            "dag-progress-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let command = format!("'{DEMO}' {args}; echo exit=$?; exec sleep 600");
        let status = tmux(&socket)
            .args(["new-session", "-d", "-x", "120", "-y", "30", &command])
            .status()
            .expect("tmux starts");
        assert!(status.success(), "tmux new-session failed: {status}");
        Terminal { socket }
    }

    /// What the pane shows now.
    fn screen(&self) -> String {
        let out = tmux(&self.socket)
            .args(["capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Reads the pane until `done` holds for it (at most [`PATIENCE`]); returns that screen.
    fn until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the terminal never showed {what}; last screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The screen once the command ended, with its exit code.
    fn finished(&self) -> (String, i32) {
        let screen = self.until("the command's end", |s| {
            s.lines().any(|l| l.starts_with("exit="))
        });
        let code = screen
            .lines()
            .find_map(|l| l.strip_prefix("exit="))
            .and_then(|c| c.trim().parse().ok())
            .expect("an exit code");
        (screen, code)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = tmux(&self.socket).arg("kill-server").output();
    }
}

/// `tmux -L socket` with a UTF-8 locale and none of dag's environment variables.
fn tmux(socket: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", socket])
        .env("LANG", "C.UTF-8")
        .env_remove("TMUX")
        .env_remove("DAG_TRACING")
        .env_remove("DAG_META_DIR")
        .env_remove("DAG_CACHE_DIR");
    c
}

/// The bar's line of a screen while a task runs: `(done, running names)`, e.g.
/// `(2, "transform")` for `... 2/4 tasks  no history  running: transform`.
fn bar_line(screen: &str) -> Option<(usize, String, String)> {
    screen.lines().find_map(|line| {
        let (before, names) = line.split_once("running: ")?;
        let (count, status) = before.split_once("/4 tasks")?;
        let done = count.rsplit(' ').next()?.parse().ok()?;
        Some((done, status.trim().to_string(), names.trim().to_string()))
    })
}

/// `dag-demo args` with stderr piped: `(exit code, stderr)`.
fn piped(args: &[&str]) -> (i32, String) {
    let out = Command::new(DEMO)
        .args(args)
        .env_remove("DAG_TRACING")
        .env_remove("DAG_META_DIR")
        .env_remove("DAG_CACHE_DIR")
        .output()
        .expect("dag-demo starts");
    (
        out.status.code().expect("an exit code"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Whether `text` has the line of the retry of `transform` (its delay, 10 ms with jitter, is
/// a whole number of milliseconds).
fn retried(text: &str) -> bool {
    const LINE: &str =
        "RETRY   task `transform` attempt 1 failed: the warehouse is busy; trying again in ";
    text.split(LINE).nth(1).is_some_and(|rest| {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with("ms")
    })
}

fn meta_arg(dir: &Path) -> String {
    format!("--meta-dir '{}'", dir.display())
}

#[test]
fn a_terminal_shows_the_bar_the_running_task_and_the_end() {
    if !have_tmux() {
        return;
    }
    let meta = tempfile::tempdir().unwrap();
    let term = Terminal::run(&format!("run steps {}", meta_arg(meta.path())));
    let screen = term.until("the bar with a running task", |s| bar_line(s).is_some());
    let (done, status, running) = bar_line(&screen).unwrap();
    // A chain: with `done` tasks done, the next one runs.
    assert_eq!(running, STEPS[done], "{screen}");
    // Nothing recorded yet.
    assert!(status.starts_with("no history"), "{screen}");
    let (screen, code) = term.finished();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("4/4 tasks  done in "), "{screen}");
    assert!(retried(&screen), "{screen}");
    // The run's summary follows the bar.
    let bar = screen.find("4/4 tasks").unwrap();
    assert!(screen[bar..].contains("DAG `steps`, run "), "{screen}");
}

#[test]
fn recorded_runs_give_an_eta() {
    if !have_tmux() {
        return;
    }
    let meta = tempfile::tempdir().unwrap();
    let dir = meta.path().to_str().unwrap();
    let (code, _) = piped(&["run", "steps", "--profile", "--meta-dir", dir]);
    assert_eq!(code, 0);
    let term = Terminal::run(&format!("run steps {}", meta_arg(meta.path())));
    let screen = term.until("the bar with a running task", |s| bar_line(s).is_some());
    let (_, status, _) = bar_line(&screen).unwrap();
    assert!(status.starts_with("ETA "), "{screen}");
    assert!(!screen.contains("no history"), "{screen}");
    assert_eq!(term.finished().1, 0);
}

#[test]
fn a_failure_is_printed_above_the_bar_as_it_happens() {
    if !have_tmux() {
        return;
    }
    let meta = tempfile::tempdir().unwrap();
    let term = Terminal::run(&format!("run flaky --workers 2 {}", meta_arg(meta.path())));
    // `store` fails at once; `slow` still runs for 500 ms.
    let screen = term.until("the failure while `slow` runs", |s| {
        s.contains("running: slow")
    });
    assert!(
        screen.contains("FAILED  task `store` failed: disk full while storing 7"),
        "{screen}"
    );
    assert!(screen.contains(" · 1 failed"), "{screen}");
    let (screen, code) = term.finished();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("5/5 tasks  finished in ") && screen.contains(": 1 failed, 1 not run"),
        "{screen}"
    );
}

#[test]
fn no_progress_turns_it_off_on_a_terminal() {
    if !have_tmux() {
        return;
    }
    let meta = tempfile::tempdir().unwrap();
    let term = Terminal::run(&format!(
        "run steps --no-progress {}",
        meta_arg(meta.path())
    ));
    let (screen, code) = term.finished();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("DAG `steps`, run "), "{screen}");
    assert!(
        !screen.contains("/4 tasks") && !screen.contains("RETRY"),
        "{screen}"
    );
}

#[test]
fn a_pipe_shows_no_progress_unless_asked() {
    // No terminal: the summary only (its first line and one line per task).
    let (code, stderr) = piped(&["run", "steps"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("DAG `steps`, run "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1 + STEPS.len(), "{stderr}");
    // `--progress` draws anyway, retries and the end included.
    let meta = tempfile::tempdir().unwrap();
    let dir = meta.path().to_str().unwrap();
    let (code, stderr) = piped(&["run", "steps", "--progress", "--meta-dir", dir]);
    assert_eq!(code, 0, "{stderr}");
    assert!(retried(&stderr), "{stderr}");
    assert!(stderr.contains("4/4 tasks  done in "), "{stderr}");
    assert!(stderr.contains("DAG `steps`, run "), "{stderr}");
    // Both flags at once is a usage error.
    let (code, stderr) = piped(&["run", "steps", "--progress", "--no-progress"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("'--progress' cannot be used with '--no-progress'"),
        "{stderr}"
    );
}
