//! Panics of user code, caught: a task body, an output's `Drop`, a panic payload's `Drop`.
//!
//! A panic payload is user data too (`std::panic::panic_any` throws any value), so the text
//! of a panic is read first and the payload dropped inside `catch_unwind` in turn.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The text of a caught panic; its payload is then dropped without unwinding (a payload is user
/// data: `std::panic::panic_any` throws any value, whose `Drop` may panic in turn).
pub(crate) fn caught_text(payload: Box<dyn Any + Send>) -> String {
    let text = payload_text(&*payload);
    match drop_payload(payload) {
        None => text,
        Some(again) => format!("{text} (dropping that payload panicked too: {again})"),
    }
}

/// Drops a value whose `Drop` is user code; the text of the panic if it panicked (the panic
/// does not unwind further).
pub(crate) fn drop_quietly<T>(value: T) -> Option<String> {
    let payload = catch_unwind(AssertUnwindSafe(move || drop(value))).err()?;
    Some(caught_text(payload))
}

/// Drops a panic payload; if its `Drop` panics, the text of that second panic, whose own
/// payload is leaked on purpose (`mem::forget`): dropping it could panic again, without end.
fn drop_payload(payload: Box<dyn Any + Send>) -> Option<String> {
    let again = catch_unwind(AssertUnwindSafe(move || drop(payload))).err()?;
    let text = payload_text(&*again);
    std::mem::forget(again);
    Some(text)
}

/// What a panic said: its message when the payload is a string.
fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
    }
}
