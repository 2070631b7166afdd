//! `#[task] async fn` tasks run: mixed with sync tasks, with a timeout, a resource pool and a
//! gate, from a plain `main` (`run`) and from inside a tokio runtime (`run_async`).

use dag::{Dag, Error, GateDecision, NodeStatus};
use std::time::{Duration, Instant};

mod shop {
    use dag::task;
    use std::time::Duration;

    /// The order ids, fetched.
    #[task]
    pub async fn orders() -> Vec<u32> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        vec![1, 2, 3]
    }

    /// The prices, fetched at the same time.
    #[task]
    pub async fn prices() -> Vec<u32> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        vec![10, 20, 30]
    }

    /// A sync task between async ones (its parameters are `&` the outputs, as `#[task]` wants).
    #[allow(clippy::ptr_arg)]
    #[task(resources(db = 1))]
    pub fn total(orders: &Vec<u32>, prices: &Vec<u32>) -> u32 {
        orders.iter().zip(prices).map(|(o, p)| o * p).sum()
    }

    /// Waits for the accountant.
    #[task(gate, final)]
    pub async fn invoice(total: &u32) -> Result<String, String> {
        tokio::task::yield_now().await;
        Ok(format!("total {total}"))
    }

    /// Never answers in time.
    #[task(timeout = "30ms")]
    pub async fn slow_audit(total: &u32) -> u32 {
        tokio::time::sleep(Duration::from_secs(30)).await;
        *total
    }

    /// After the audit: skipped when it times out.
    #[task]
    pub fn archive(slow_audit: &u32) -> u32 {
        *slow_audit
    }
}

fn shop() -> Dag {
    Dag::new("shop")
        .max_workers(2)
        .resource("db", 1)
        .gate_handler(|r| {
            if r.task == "invoice" {
                GateDecision::Approve
            } else {
                GateDecision::Reject(format!("unknown gate {}", r.task))
            }
        })
}

#[test]
fn async_tasks_run_from_a_plain_main() {
    let started = Instant::now();
    let ex = shop().execute().expect("runs");
    assert_eq!(ex.status("invoice"), Some(NodeStatus::Completed));
    assert_eq!(ex.status("slow_audit"), Some(NodeStatus::TimedOut));
    assert_eq!(ex.status("archive"), Some(NodeStatus::Skipped));
    assert_eq!(
        ex.output::<shop::invoice>().map(String::as_str),
        Some("total 140")
    );
    // The two 20 ms fetches overlapped, and the 30 s audit was cut at its deadline.
    assert!(started.elapsed() < Duration::from_secs(10));
    let orders = ex.node("orders").expect("a node");
    let prices = ex.node("prices").expect("a node");
    assert!(
        orders.start < prices.end && prices.start < orders.end,
        "they overlap"
    );
}

#[test]
fn run_async_serves_callers_inside_a_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let out: Result<String, Error> = rt.block_on(async { shop().run_async::<String>().await });
    // `run` returns the first failure: the audit's timeout.
    let err = out.expect_err("the audit timed out");
    assert_eq!(
        err.to_string(),
        "task `slow_audit` failed: task `slow_audit` timed out after 30ms"
    );
    let ex = rt
        .block_on(shop().execute_async())
        .expect("runs in the runtime");
    assert_eq!(ex.status("invoice"), Some(NodeStatus::Completed));

    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let err = single
        .block_on(shop().execute_async())
        .expect_err("a current-thread runtime is refused");
    assert!(
        err.to_string()
            .contains("need a multi-thread tokio runtime"),
        "{err}"
    );
}
