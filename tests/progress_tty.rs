//! The progress display as a user sees it: dag-demo's `run` in a real terminal (tmux, read
//! with `capture-pane` while the run goes on and after it ended), and with stderr piped.
//!
//! Without tmux these tests print why they skip; with `DAG_REQUIRE_TMUX=1` (CI) they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The demo binary.
const DEMO: &str = env!("CARGO_BIN_EXE_dag-demo");
/// The `steps` DAG's tasks: its two inputs, then the chain of four steps and `audit` beside it.
const STEPS: usize = 7;
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
        // Straight to stderr, past the test harness's capture: a skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: tmux is not installed (apt-get install -y tmux; DAG_REQUIRE_TMUX=1 \
             makes this a failure)"
        );
    }
    ok
}

/// A 120×30 terminal of its own tmux server (its socket in a directory of its own); the
/// server is killed when this is dropped.
struct Terminal {
    socket: String,
    _dir: tempfile::TempDir,
}

impl Terminal {
    /// Runs `dag-demo args` in a new terminal; after it ends the pane shows `exit=CODE` and
    /// stays open.
    fn run(args: &str) -> Terminal {
        Terminal::run_with("", args)
    }

    /// [`Terminal::run`] with `env` (`NAME=value ...`) before the command.
    fn run_with(env: &str, args: &str) -> Terminal {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock").to_str().unwrap().to_string();
        let command = format!("{env} '{DEMO}' {args}; echo exit=$?; exec sleep 600");
        let status = tmux(&socket)
            .args(["new-session", "-d", "-x", "120", "-y", "30", &command])
            .status()
            .expect("tmux starts");
        assert!(status.success(), "tmux new-session failed: {status}");
        Terminal { socket, _dir: dir }
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

/// `tmux -S socket` with a UTF-8 locale and none of dag's environment variables.
fn tmux(socket: &str) -> Command {
    let mut c = Command::new("tmux");
    c.args(["-S", socket])
        .env("LANG", "C.UTF-8")
        .env_remove("TMUX")
        .env_remove("DAG_TRACING")
        .env_remove("DAG_META_DIR")
        .env_remove("DAG_CACHE_DIR");
    c
}

/// The bar's line of a screen while a task runs: `(done, status, running names)`, e.g.
/// `(6, "no history", "load")` for `... 6/7 tasks  no history  running: load`.
fn bar_line(screen: &str) -> Option<(usize, String, String)> {
    screen.lines().find_map(|line| {
        let (before, names) = line.split_once("running: ")?;
        let (count, status) = before.split_once("/7 tasks")?;
        let done = count.rsplit(' ').next()?.parse().ok()?;
        Some((done, status.trim().to_string(), names.trim().to_string()))
    })
}

/// The screen once only `load` runs, held until `release` exists.
fn held(term: &Terminal) -> (String, String) {
    let screen = term.until("the bar with `load` running", |s| {
        bar_line(s).is_some_and(|(_, _, running)| running == "load")
    });
    let (done, status, _) = bar_line(&screen).unwrap();
    // Everything else is done: both inputs, the three steps before `load`, and `audit`.
    assert_eq!(done, STEPS - 1, "{screen}");
    (screen, status)
}

/// Lets the held `load` finish.
fn release(file: &Path) {
    std::fs::write(file, "").unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let hold = dir.path().join("hold");
    let term = Terminal::run(&format!(
        "run steps --set hold='{}' {}",
        hold.display(),
        meta_arg(dir.path())
    ));
    let (screen, status) = held(&term);
    // Nothing recorded yet; the retry of `transform` was printed above the bar.
    assert_eq!(status, "no history · 1 retry", "{screen}");
    assert!(retried(&screen), "{screen}");
    release(&hold);
    let (screen, code) = term.finished();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("7/7 tasks  done in "), "{screen}");
    assert!(!screen.contains("running: "), "{screen}");
    // The run's summary follows the bar.
    let bar = screen.find("7/7 tasks").unwrap();
    assert!(screen[bar..].contains("DAG `steps`, run "), "{screen}");
}

#[test]
fn recorded_runs_give_an_eta() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().to_str().unwrap();
    let (code, _) = piped(&["run", "steps", "--profile", "--meta-dir", meta]);
    assert_eq!(code, 0);
    let hold = dir.path().join("hold");
    let term = Terminal::run(&format!(
        "run steps --set hold='{}' {}",
        hold.display(),
        meta_arg(dir.path())
    ));
    let (screen, status) = held(&term);
    assert!(
        status.starts_with("ETA ") && status.ends_with(" · 1 retry"),
        "{screen}"
    );
    assert!(!screen.contains("no history"), "{screen}");
    release(&hold);
    assert_eq!(term.finished().1, 0);
}

#[test]
fn a_failure_is_printed_above_the_bar_as_it_happens() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hold = dir.path().join("hold");
    let term = Terminal::run(&format!(
        "run steps --set fail=true --set hold='{}' {}",
        hold.display(),
        meta_arg(dir.path())
    ));
    // `audit` has failed while `load` still runs.
    let (screen, status) = held(&term);
    assert!(
        screen.contains("FAILED  task `audit` failed: the numbers do not add up"),
        "{screen}"
    );
    assert_eq!(status, "no history · 1 failed, 1 retry", "{screen}");
    release(&hold);
    let (screen, code) = term.finished();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("7/7 tasks  finished in ") && screen.contains("s: 1 failed"),
        "{screen}"
    );
}

#[test]
fn no_progress_turns_it_off_on_a_terminal() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let term = Terminal::run(&format!("run steps --no-progress {}", meta_arg(dir.path())));
    let (screen, code) = term.finished();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("DAG `steps`, run "), "{screen}");
    assert!(
        !screen.contains("/7 tasks") && !screen.contains("RETRY"),
        "{screen}"
    );
}

#[test]
fn a_dumb_terminal_shows_no_progress_unless_asked() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let term = Terminal::run_with("TERM=dumb", &format!("run steps {}", meta_arg(dir.path())));
    let (screen, code) = term.finished();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("DAG `steps`, run "), "{screen}");
    assert!(!screen.contains("/7 tasks"), "{screen}");
    let term = Terminal::run_with(
        "TERM=dumb",
        &format!("run steps --progress {}", meta_arg(dir.path())),
    );
    let (screen, code) = term.finished();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("7/7 tasks  done in "), "{screen}");
}

#[test]
fn a_pipe_shows_no_progress_unless_asked() {
    // No terminal: the summary only (its first line and one line per task).
    let (code, stderr) = piped(&["run", "steps"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("DAG `steps`, run "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1 + STEPS, "{stderr}");
    // `--progress` draws anyway, retries and the end included.
    let meta = tempfile::tempdir().unwrap();
    let dir = meta.path().to_str().unwrap();
    let (code, stderr) = piped(&["run", "steps", "--progress", "--meta-dir", dir]);
    assert_eq!(code, 0, "{stderr}");
    assert!(retried(&stderr), "{stderr}");
    assert!(stderr.contains("7/7 tasks  done in "), "{stderr}");
    // Plain lines for a log: no cursor moves, no carriage returns, no padding.
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    assert!(stderr.lines().all(|l| l == l.trim_end()), "{stderr:?}");
    // The summary starts a line of its own, after the bar's last one.
    assert!(
        stderr.lines().any(|l| l.starts_with("DAG `steps`, run ")),
        "{stderr}"
    );
    // History that cannot be read is said, not silently dropped.
    let file = meta.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let file = file.to_str().unwrap();
    let (code, stderr) = piped(&["run", "steps", "--progress", "--meta-dir", file]);
    assert_eq!(code, 0, "{stderr}");
    let note = format!("progress: no ETA: the history in {file} cannot be read: ");
    assert!(stderr.contains(&note), "{stderr}");
    assert!(stderr.contains("no history"), "{stderr}");
    // Both flags at once is a usage error.
    let (code, stderr) = piped(&["run", "steps", "--progress", "--no-progress"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("'--progress' cannot be used with '--no-progress'"),
        "{stderr}"
    );
}

#[test]
fn run_help_documents_the_progress_flags() {
    let out = Command::new(DEMO).args(["run", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for line in [
        "      --progress              Show live progress even when stderr is not a terminal (as \
         plain lines)",
        "      --no-progress           Show no live progress, not even on a terminal",
        "On a terminal, a live progress bar on stderr shows the tasks done, those running, \
         failures as",
    ] {
        assert!(help.lines().any(|l| l == line), "{line:?} in\n{help}");
    }
}
