use dag::task;

#[task]
fn xs() -> Vec<u32> {
    vec![1]
}

#[task]
fn ys() -> Vec<u32> {
    vec![2]
}

#[task(final)]
fn sums(#[each] xs: &u32, #[each] ys: &u32) -> u32 {
    xs + ys
}

fn main() {}
