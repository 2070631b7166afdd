//! What `#[task]` records for `async fn` tasks and the waiting options (timeout, resources,
//! gate): their descriptors, read without running them.

use dag::__private::{Task, async_only};
use dag::{Dag, TaskInfo, TaskOptions};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

mod pipeline {
    use dag::task;

    /// Fetches the page.
    #[task(timeout = "5s", resources(net = 2, db = 1))]
    pub async fn page() -> String {
        std::future::ready(String::from("one two three")).await
    }

    /// Counts its words, once approved.
    #[task(gate, gate_timeout = "1h", retries = 2)]
    pub async fn words(page: &str) -> Result<usize, String> {
        match page.split_whitespace().count() {
            0 => Err("an empty page".to_string()),
            n => Ok(n),
        }
    }

    /// A sync task after an async one, holding a pool for at most two minutes.
    #[task(timeout = "2m", resources(cpu = 4))]
    pub fn doubled(words: &usize) -> usize {
        words * 2
    }

    /// The final report.
    #[task(final, timeout = "250ms")]
    pub async fn report(doubled: &usize, page: &String) -> String {
        format!("{page}: {doubled}")
    }
}

fn info(name: &str) -> TaskInfo {
    Dag::new("pipeline")
        .task(name)
        .expect("the DAG resolves")
        .unwrap_or_else(|| panic!("no task `{name}`"))
}

/// Polls a future that never waits (no scheduler in these tests) to its output.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the future waits"),
    }
}

#[test]
fn async_tasks_are_marked_async_and_sync_ones_are_not() {
    let flags: Vec<(&str, bool)> = Dag::new("pipeline")
        .tasks()
        .expect("the DAG resolves")
        .iter()
        .map(|t| (t.name, t.is_async))
        .collect();
    assert_eq!(
        flags,
        [
            ("page", true),
            ("words", true),
            ("doubled", false),
            ("report", true)
        ]
    );
    assert!(pipeline::page::descriptor().is_async());
    assert!(!pipeline::doubled::descriptor().is_async());
}

#[test]
fn the_waiting_options_are_exactly_the_written_ones() {
    let page = info("page");
    assert_eq!(
        page.options,
        TaskOptions::NONE
            .timeout(Duration::from_secs(5))
            .resources(&[("net", 2), ("db", 1)])
    );
    // The pools in the order written, with their amounts.
    assert_eq!(page.options.resources, Some(&[("net", 2), ("db", 1)][..]));
    assert_eq!(page.options.gate, None);
    let words = info("words");
    assert_eq!(
        words.options,
        TaskOptions::NONE
            .retries(2)
            .gate(true)
            .gate_timeout(Duration::from_secs(3600))
    );
    assert_eq!(words.options.timeout, None, "the DAG's default applies");
    assert_eq!(
        info("doubled").options,
        TaskOptions::NONE
            .timeout(Duration::from_secs(120))
            .resources(&[("cpu", 4)])
    );
    assert_eq!(
        info("report").options,
        TaskOptions::NONE.timeout(Duration::from_millis(250))
    );
    // The descriptor says the same as the info.
    assert_eq!(pipeline::words::descriptor().options(), words.options);
}

#[test]
fn an_async_task_has_the_same_shape_as_a_sync_one() {
    let words = info("words");
    // A `Result` output: dependents get the `Ok` type, as for a sync task.
    assert_eq!(words.output_type, "usize");
    assert_eq!(words.dependencies, ["page"]);
    assert_eq!(words.description, "Counts its words, once approved.");
    let report = info("report");
    assert!(report.is_final);
    assert_eq!(report.dependencies, ["doubled", "page"]);
    assert_eq!(report.output_type, "alloc::string::String");
}

#[test]
fn the_functions_stay_callable_as_written() {
    assert_eq!(ready(pipeline::page()), "one two three");
    assert_eq!(ready(pipeline::words("a b")), Ok(2));
    assert_eq!(
        ready(pipeline::words(" ")),
        Err("an empty page".to_string())
    );
    assert_eq!(ready(pipeline::report(&6, &"p".to_string())), "p: 6");
}

#[test]
fn the_sync_body_of_an_async_task_refuses_to_run() {
    assert_eq!(
        async_only::<pipeline::page>().map(|_| ()),
        Err("task `page` is async: it runs on the async scheduler".to_string())
    );
}
