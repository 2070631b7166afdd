//! `#[each]`: a task mapped over the elements of one upstream output, each element its own
//! unit of work on the pool; dependents receive the outputs in element order.

use crate::exec::ElementRun;
use crate::exec::retry::backoff_delay;
use crate::inputs::Inputs;
use crate::task::{Fallible, Task};
use crate::value::BodyResult;
use rayon::prelude::*;

/// An upstream output a task can map over with `#[each]`: a `Vec<T>`, a boxed slice or an
/// array.
#[diagnostic::on_unimplemented(
    message = "`#[each]` maps over a `Vec<T>` (or a boxed slice, or an array); `{Self}` is none of them",
    label = "the upstream output is not a sequence",
    note = "the `#[each]` parameter is `&T` for an upstream output `Vec<T>`"
)]
pub trait Elements {
    /// The element type; the `#[each]` parameter is `&Elem`.
    type Elem: Sync;
    /// The elements, in order.
    fn elements(&self) -> &[Self::Elem];
}

impl<T: Sync> Elements for Vec<T> {
    type Elem = T;
    fn elements(&self) -> &[T] {
        self
    }
}

impl<T: Sync> Elements for Box<[T]> {
    type Elem = T;
    fn elements(&self) -> &[T] {
        self
    }
}

impl<T: Sync, const N: usize> Elements for [T; N] {
    type Elem = T;
    fn elements(&self) -> &[T] {
        self
    }
}

/// The elements of input `i`, produced by the upstream task `U` (generated code).
#[must_use]
pub fn elements<'a, U: Task>(inputs: &Inputs<'a>, i: usize) -> &'a [<U::Output as Elements>::Elem]
where
    U::Output: Elements,
{
    crate::__private::dep::<U>(inputs, i).elements()
}

/// One element's output of an infallible mapped task.
#[inline]
pub fn elem_ok<R>(value: R) -> Result<R, String> {
    Ok(value)
}

/// One element's output of a `Result`-returning mapped task.
#[inline]
pub fn elem_fallible<F: Fallible>(result: F) -> Result<F::Ok, String> {
    result.into_body_result()
}

/// Runs `f` on every element, in parallel on the current pool, and gives the outputs in
/// element order; the first failing element (by index) fails the task, naming its index.
/// The task's retries apply per element: a failing element runs again (after the backoff),
/// the others do not.
///
/// Each element's start, end and worker go to the run's element log (one lock per task, not
/// per element), from which the trace shows it as `task[i]`.
pub fn each<T, E, R>(
    inputs: &Inputs<'_>,
    elems: &[E],
    f: impl Fn(&E) -> Result<R, String> + Sync,
) -> BodyResult
where
    T: Task<Output = Vec<R>>,
    E: Sync,
    R: Send + Sync + 'static,
{
    map_elements(inputs, T::NAME, elems, f)
}

/// [`each`] for a task called `name` (also the builder's [`Tasks::add_each`]).
///
/// [`Tasks::add_each`]: crate::Tasks::add_each
pub(crate) fn map_elements<E, R>(
    inputs: &Inputs<'_>,
    name: &str,
    elems: &[E],
    f: impl Fn(&E) -> Result<R, String> + Sync,
) -> BodyResult
where
    E: Sync,
    R: Send + Sync + 'static,
{
    let clock = crate::exec::clock();
    let (retries, backoff) = inputs.retry;
    let node = inputs.node.0;
    // Elements run on other workers too: `dag::cancelled()` answers there as in the body.
    let flag = crate::exec::cancel::Ambient::current();
    let ran: Vec<(Result<R, String>, ElementRun)> = elems
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let _flag = flag.enter();
            let start = clock.raw();
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let mut attempts: u32 = 0;
            let result = loop {
                attempts = attempts.saturating_add(1);
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(e)))
                    .unwrap_or_else(|payload| {
                        Err(format!("panicked: {}", crate::exec::caught_text(payload)))
                    });
                match result {
                    Err(_) if attempts <= retries => std::thread::sleep(backoff_delay(
                        backoff,
                        attempts,
                        node.wrapping_add(index),
                    )),
                    Err(e) if attempts > 1 => {
                        break Err(format!("{e} (after {attempts} attempts)"));
                    }
                    other => break other,
                }
            };
            let run = ElementRun {
                node,
                index,
                start,
                end: clock.raw(),
                worker: rayon::current_thread_index().map_or(u32::MAX, |w| w as u32),
                attempts,
                error: result.as_ref().err().cloned(),
            };
            (result, run)
        })
        .collect();
    let mut outputs = Vec::with_capacity(ran.len());
    let mut runs = Vec::with_capacity(ran.len());
    let mut failed = None;
    for (i, (result, run)) in ran.into_iter().enumerate() {
        runs.push(run);
        match result {
            Ok(v) => outputs.push(v),
            Err(e) => {
                failed.get_or_insert_with(|| format!("`{name}[{i}]` failed: {e}"));
            }
        }
    }
    inputs
        .elements
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .extend(runs);
    match failed {
        Some(e) => Err(e),
        None => Ok(Box::new(outputs)),
    }
}
