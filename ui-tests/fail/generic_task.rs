use dag::task;

#[task(final)]
fn make<T: Default>() -> T {
    T::default()
}

fn main() {}
