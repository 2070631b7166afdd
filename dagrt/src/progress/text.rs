//! Text: the words of the progress display — the running tasks, the ETA, the failure and
//! retry lines printed above the bar, and the last line. Pure functions of their inputs.

use super::track::Eta;
use std::time::Duration;

/// The running tasks, `running: a, b, +2 more`, at most `width` characters: as many whole
/// names as fit (oldest first), then how many are left out; a single name longer than the
/// width is cut and ends in `…`. Empty when nothing runs.
pub(crate) fn running_text<'a>(names: impl IntoIterator<Item = &'a str>, width: usize) -> String {
    const HEAD: &str = "running: ";
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        return String::new();
    }
    let mut text = HEAD.to_string();
    let mut shown = 0;
    for (i, name) in names.iter().enumerate() {
        let left = names.len() - i - 1;
        let sep = if i == 0 { "" } else { ", " };
        let more = if left == 0 {
            String::new()
        } else {
            format!(", +{left} more")
        };
        let fits = text.chars().count() + sep.len() + name.chars().count() + more.chars().count();
        if fits > width {
            break;
        }
        text.push_str(sep);
        text.push_str(name);
        shown += 1;
    }
    if shown == 0 {
        // Not even the first name fits whole: cut it.
        let more = if names.len() > 1 {
            format!(", +{} more", names.len() - 1)
        } else {
            String::new()
        };
        let room = width.saturating_sub(HEAD.len() + more.chars().count() + 1);
        text.extend(names[0].chars().take(room));
        text.push('…');
        text.push_str(&more);
    } else if shown < names.len() {
        text.push_str(&format!(", +{} more", names.len() - shown));
    }
    text
}

/// A duration for people: `0.4s` and `7.5s` below 10 s, `42s`, `3m05s`, `2h07m`.
pub(crate) fn human(seconds: f64) -> String {
    let seconds = if seconds.is_finite() {
        seconds.max(0.0)
    } else {
        0.0
    };
    if seconds < 9.95 {
        return format!("{seconds:.1}s");
    }
    let whole = seconds.round() as u64;
    match whole {
        0..60 => format!("{whole}s"),
        60..3600 => format!("{}m{:02}s", whole / 60, whole % 60),
        _ => format!("{}h{:02}m", whole / 3600, whole % 3600 / 60),
    }
}

/// The ETA part of the bar: `ETA 3.5s`, `ETA ≥ 3.5s (2 tasks unrecorded)`, `no history`, or
/// empty when no history was asked for.
pub(crate) fn eta_text(eta: &Eta) -> String {
    match eta {
        Eta::NotAsked => String::new(),
        Eta::NoHistory => "no history".to_string(),
        Eta::Left {
            seconds,
            unrecorded: 0,
        } => format!("ETA {}", human(*seconds)),
        Eta::Left {
            seconds,
            unrecorded,
        } => format!(
            "ETA ≥ {} ({unrecorded} task{} unrecorded)",
            human(*seconds),
            plural(*unrecorded)
        ),
    }
}

/// The counts after the ETA: `1 failed, 2 retries`; empty when both are 0.
pub(crate) fn counts_text(failed: usize, retries: usize) -> String {
    let mut parts = Vec::new();
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if retries > 0 {
        parts.push(format!(
            "{retries} retr{}",
            if retries == 1 { "y" } else { "ies" }
        ));
    }
    parts.join(", ")
}

/// The line printed above the bar when a task fails or times out.
pub(crate) fn failure_line(task: &str, status: &str, error: Option<&str>) -> String {
    format!(
        "FAILED  task `{task}` {status}: {}",
        error.unwrap_or("no error message")
    )
}

/// The line printed above the bar when an attempt failed and the task runs again.
pub(crate) fn retry_line(task: &str, attempt: u32, error: &str, delay: Duration) -> String {
    format!(
        "RETRY   task `{task}` attempt {attempt} failed: {error}; trying again in {}",
        if delay < Duration::from_secs(1) {
            format!("{}ms", delay.as_millis())
        } else {
            human(delay.as_secs_f64())
        }
    )
}

/// The bar's last message: `done in 1.2s`, or what did not complete.
pub(crate) fn final_text(seconds: f64, failed: usize, not_run: usize) -> String {
    let mut text = format!("done in {}", human(seconds));
    let mut parts = Vec::new();
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if not_run > 0 {
        parts.push(format!("{not_run} not run"));
    }
    if !parts.is_empty() {
        text = format!("finished in {}: {}", human(seconds), parts.join(", "));
    }
    text
}

/// `""` for one, `"s"` otherwise.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
