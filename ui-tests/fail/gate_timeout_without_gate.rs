use dag::task;

#[task(final, gate_timeout = "1h")]
fn deploy() -> u32 {
    1
}

fn main() {}
