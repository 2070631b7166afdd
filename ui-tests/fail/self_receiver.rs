use dag::task;

struct Pipeline;

impl Pipeline {
    #[task(final)]
    fn load(&self) -> i32 {
        1
    }
}

fn main() {}
