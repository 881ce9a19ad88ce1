//! Read buffers reused from one blob to the next on each thread.
//!
//! A scan reads every file (and copies every git blob) into a buffer of its own. A
//! fresh buffer costs more than its bytes: the allocator gets large ones straight from
//! the kernel, which faults in and zeroes every page before the read copies into it,
//! then unmaps them on free. On the project machine that was a quarter to a third of
//! the whole scan's CPU time on the README's JavaScript corpus (`clear_page_erms`
//! 8-10%, the read's copy into cold pages 20-25%, against ~5% for `ripgrep`'s copy
//! into one small buffer that stays in cache). So each thread keeps the buffer of the
//! blob it scanned last and reads the next one into it: the pages are already mapped
//! and mostly in cache.
//!
//! A blob's bytes are a [`Bytes`] that owns its buffer; when the last reference goes,
//! the buffer goes back to the thread that drops it. Only buffers of up to
//! [`KEEP_MAX`] bytes are kept, one per thread, so a scan holds at most that much more
//! memory per thread.

use bytes::Bytes;
use std::cell::Cell;

/// Largest buffer a thread keeps for the next blob.
pub(crate) const KEEP_MAX: usize = 16 << 20;

thread_local! {
    static SPARE: Cell<Option<Vec<u8>>> = const { Cell::new(None) };
}

/// An empty buffer with room for at least `n` bytes: this thread's spare one when it
/// is large enough.
pub(crate) fn take(n: usize) -> Vec<u8> {
    let spare = SPARE.try_with(|s| s.take()).ok().flatten();
    match spare {
        Some(mut v) if v.capacity() >= n => {
            v.clear();
            v
        }
        // Round up (within the cap), so that a slightly larger file next time
        // does not need a new buffer again.
        _ if n <= KEEP_MAX => Vec::with_capacity(n.next_power_of_two().clamp(4096, KEEP_MAX)),
        _ => Vec::with_capacity(n),
    }
}

/// The bytes of `buf`, which go back to the dropping thread's spare slot when the last
/// reference is dropped.
pub(crate) fn into_bytes(buf: Vec<u8>) -> Bytes {
    if buf.capacity() > KEEP_MAX {
        return Bytes::from(buf);
    }
    Bytes::from_owner(Returned(buf))
}

/// A copy of `data` in a reused buffer.
pub(crate) fn copy(data: &[u8]) -> Bytes {
    let mut v = take(data.len());
    v.extend_from_slice(data);
    into_bytes(v)
}

/// A buffer that returns to its thread's spare slot when dropped.
struct Returned(Vec<u8>);

impl AsRef<[u8]> for Returned {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Returned {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        // Keep the larger of the two (a thread that is exiting keeps nothing).
        let _ = SPARE.try_with(|s| {
            let old = s.take();
            s.set(match old {
                Some(o) if o.capacity() >= v.capacity() => Some(o),
                _ => Some(v),
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_buffer_is_reused_and_holds_new_bytes() {
        let b = copy(b"first blob");
        let ptr = b.as_ptr();
        assert_eq!(&b[..], b"first blob");
        drop(b);
        let c = copy(b"second");
        assert_eq!(&c[..], b"second");
        assert_eq!(c.as_ptr(), ptr, "the spare buffer was not reused");
        // While `c` lives, a new blob gets a buffer of its own.
        let d = copy(b"third");
        assert_ne!(d.as_ptr(), c.as_ptr());
        assert_eq!(&c[..], b"second");
        assert_eq!(&d[..], b"third");
    }

    #[test]
    fn buffers_over_the_cap_are_not_kept() {
        let big = take(KEEP_MAX + 1);
        assert!(big.capacity() > KEEP_MAX);
        let b = into_bytes(big);
        drop(b);
        let small = take(10);
        assert!(small.capacity() <= KEEP_MAX);
    }
}
