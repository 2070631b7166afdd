//! `#[each]` as DESIGN §7 writes it: the parameter is `&T` over an upstream `Vec<T>`.

use dag::{task, Dag};

/// Numbers.
#[task]
fn numbers() -> Vec<u32> {
    vec![1, 2, 3]
}

/// Each one doubled.
#[task]
fn doubled(#[each] numbers: &u32) -> u32 {
    numbers * 2
}

/// Their sum.
#[task(final)]
fn total(doubled: &Vec<u32>) -> u32 {
    doubled.iter().sum()
}

fn main() {
    assert_eq!(doubled(&4), 8);
    let n: u32 = Dag::new("x").run().expect("runs");
    assert_eq!(n, 12);
    let each: Vec<u32> = Dag::new("x").run_to::<doubled>().expect("runs");
    assert_eq!(each, [2, 4, 6]);
}
