//! What a file that is not a regular file is, in words, for the warnings that skip it.

use std::fs::FileType;

/// `a directory`, `a FIFO`, `a socket`, `a device`, or `not a regular file`.
pub(crate) fn describe(t: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}
