//! `async fn` tasks next to sync ones, with every waiting option, in a crate that denies every
//! warning: the generated code compiles warning-free and the descriptors say what was written.
//! (Nothing runs here: running them is the async scheduler's tests' job.)
#![deny(warnings, missing_docs)]

/// A public module of tasks.
pub mod pipeline {
    use dag::task;

    /// A sync source.
    #[task]
    pub fn url() -> String {
        String::from("https://example.org")
    }

    /// Borrows its input across an await, under a deadline and two pools.
    #[task(timeout = "5s", resources(net = 1, db = 2))]
    pub async fn page(url: &str) -> std::io::Result<String> {
        let body = std::future::ready(format!("<html>{url}</html>")).await;
        Ok(body)
    }

    /// A sync task after an async one.
    #[task(resources(cpu = 4))]
    fn length(page: &String) -> usize {
        page.len()
    }

    /// An async task returning `()`, after a gate.
    #[task(gate, gate_timeout = "1h")]
    async fn notify(length: &usize) {
        let _ = std::future::ready(*length).await;
    }

    /// The final task is async too, with `Result<T, String>`.
    #[task(final, timeout = "250ms", retries = 2, after = [notify])]
    pub async fn report(length: &usize, url: &String) -> Result<String, String> {
        Ok(format!("{url}: {length}"))
    }
}

fn main() {
    let dag = dag::Dag::new("pipeline");
    let asyncs: Vec<(&str, bool)> = dag
        .tasks()
        .expect("resolves")
        .iter()
        .map(|t| (t.name, t.is_async))
        .collect();
    assert_eq!(
        asyncs,
        [
            ("url", false),
            ("page", true),
            ("length", false),
            ("notify", true),
            ("report", true)
        ]
    );
    let page = dag.task("page").expect("resolves").expect("a task");
    assert_eq!(page.options.resources, Some(&[("net", 1), ("db", 2)][..]));
    assert_eq!(page.output_type, "alloc::string::String");
}
