//! Enter: how a plain run (no waiting node) gets from the calling thread onto the pool and back.

use super::{Ctx, run_group};
use crate::graph::NodeId;

/// Runs the ready `roots` (and everything they release) on `pool`, returning when every node
/// has settled.
pub(super) fn run_plain<'s>(ctx: &'s Ctx<'s>, pool: &rayon::ThreadPool, roots: &'s [NodeId]) {
    pool.scope(move |s| run_group(ctx, s, roots, 0, None));
}
