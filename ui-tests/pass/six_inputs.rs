//! A task with six inputs of six different types.

use dag::task;

#[task]
fn a() -> u8 {
    1
}
#[task]
fn b() -> u16 {
    2
}
#[task]
fn c() -> u32 {
    3
}
#[task]
fn d() -> u64 {
    4
}
#[task]
fn e() -> i32 {
    5
}
#[task]
fn f() -> String {
    "6".to_string()
}

#[task(final)]
fn all(a: &u8, b: &u16, c: &u32, d: &u64, e: &i32, f: &str) -> u64 {
    u64::from(*a) + u64::from(*b) + u64::from(*c) + d + *e as u64 + f.parse::<u64>().unwrap_or(0)
}

fn main() {
    let out: u64 = dag::Dag::new("six").max_workers(3).run().expect("runs");
    assert_eq!(out, 21);
}
