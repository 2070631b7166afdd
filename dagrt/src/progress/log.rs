//! LogLines: where [`Progress::always`](super::Progress::always) draws when stderr is not a
//! terminal — each redraw becomes whole lines (no cursor moves, no padding, no repeats), fit
//! for a log.

use indicatif::TermLike;
use std::io::{self, Write};
use std::sync::{Mutex, PoisonError};

/// Columns the bar is laid out in (nothing narrows a pipe).
const WIDTH: u16 = 160;

/// A [`TermLike`] that writes each line indicatif draws as one line of text to `out`.
///
/// indicatif ends a line by padding it to the width (a terminal then wraps) and ends a
/// redraw with a flush; here the padding and the flush end the line, and the cursor moves
/// and clears that redraw in place on a terminal do nothing.
#[derive(Debug)]
pub(crate) struct LogLines<W: Write + Send> {
    /// The output, the line begun, and the last line written.
    out: Mutex<(W, String, String)>,
}

impl<W: Write + Send> LogLines<W> {
    /// Lines to `out`.
    pub fn new(out: W) -> Self {
        LogLines {
            out: Mutex::new((out, String::new(), String::new())),
        }
    }

    /// Writes the line begun so far (without its trailing spaces), if any and unless it
    /// repeats the last line written.
    fn end_line(&self) -> io::Result<()> {
        let mut guard = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let (out, line, last) = &mut *guard;
        if line.is_empty() {
            return Ok(());
        }
        let text = line.trim_end().to_string();
        line.clear();
        if text == *last {
            return Ok(());
        }
        out.write_all(format!("{text}\n").as_bytes())?;
        *last = text;
        out.flush()
    }
}

impl<W: Write + Send + std::fmt::Debug> TermLike for LogLines<W> {
    fn width(&self) -> u16 {
        WIDTH
    }

    fn move_cursor_up(&self, _: usize) -> io::Result<()> {
        Ok(())
    }

    fn move_cursor_down(&self, _: usize) -> io::Result<()> {
        Ok(())
    }

    fn move_cursor_right(&self, _: usize) -> io::Result<()> {
        Ok(())
    }

    fn move_cursor_left(&self, _: usize) -> io::Result<()> {
        Ok(())
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.write_str(s)?;
        self.out
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .push(' ');
        self.end_line()
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        if !s.is_empty() && s.bytes().all(|b| b == b' ') {
            // The padding after a line: the line is complete.
            return self.end_line();
        }
        let text = s.replace('\r', "");
        self.out
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .push_str(&text);
        Ok(())
    }

    fn clear_line(&self) -> io::Result<()> {
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        self.end_line()
    }
}
