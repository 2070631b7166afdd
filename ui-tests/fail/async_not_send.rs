use dag::task;
use std::rc::Rc;

#[task(final)]
async fn fetch() -> usize {
    let shared = Rc::new(1);
    std::future::ready(()).await;
    *shared
}

fn main() {}
