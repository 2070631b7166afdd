use dag::task;

#[task]
fn text() -> String {
    "a b".to_string()
}

#[task(final)]
fn lengths(#[each] text: &char) -> usize {
    text.len_utf8()
}

fn main() {}
