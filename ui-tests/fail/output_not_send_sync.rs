use dag::task;
use std::rc::Rc;

#[task(final)]
fn shared() -> Rc<i32> {
    Rc::new(1)
}

fn main() {}
