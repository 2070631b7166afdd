use dag::task;

/// Not serde-capable.
pub struct Model {
    pub weights: Vec<f32>,
}

#[task(final, cache)]
fn train() -> Model {
    Model { weights: vec![0.5] }
}

fn main() {}
