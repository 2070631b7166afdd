use dag::task;

#[task]
fn rows() -> Vec<i32> {
    vec![3, 1, 2]
}

#[task(final)]
fn sorted(rows: &mut Vec<i32>) -> usize {
    rows.sort();
    rows.len()
}

fn main() {}
