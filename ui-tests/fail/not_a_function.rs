use dag::task;

#[task]
struct Extract {
    rows: Vec<i32>,
}

fn main() {}
