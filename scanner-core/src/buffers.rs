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
use memmap2::MmapMut;
use std::cell::Cell;
use std::io::Read;

/// Largest buffer a thread keeps for the next blob.
pub(crate) const KEEP_MAX: usize = 16 << 20;
/// Files of at least this size are read into an anonymous mapping that asks the
/// kernel for transparent huge pages: one fault per 2 MiB the first time a thread's
/// buffer grows, not 512. On the README's JavaScript corpus (half of its bytes are in
/// files over 1 MiB) that took 2-3% off the CPU time, as much as the allocator's own
/// huge-page option (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`) did.
pub(crate) const HUGE_MIN: usize = 2 << 20;

thread_local! {
    static SPARE: Cell<Option<Vec<u8>>> = const { Cell::new(None) };
    static SPARE_HUGE: Cell<Option<MmapMut>> = const { Cell::new(None) };
}

/// Reads `r`, expected to hold `n` bytes, to its end into a reused buffer: the bytes,
/// or `None` when there are more than `max` (the file grew while read).
pub(crate) fn read_all(r: &mut impl Read, n: usize, max: u64) -> std::io::Result<Option<Bytes>> {
    if n >= HUGE_MIN {
        // Room for one byte more than expected, to see a file that grew.
        if let Some(mut m) = take_huge(n + 1) {
            let mut len = 0;
            while len < m.len() {
                match r.read(&mut m[len..]) {
                    Ok(0) => break,
                    Ok(k) => len += k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        give_back_huge(m);
                        return Err(e);
                    }
                }
            }
            if len as u64 > max {
                give_back_huge(m);
                return Ok(None);
            }
            if len < m.len() {
                return Ok(Some(Bytes::from_owner(Huge(Some(m), len))));
            }
            // Filled: the file grew. Read on into an ordinary buffer, up to the cap.
            let mut v = take(len.saturating_mul(2));
            v.extend_from_slice(&m[..len]);
            give_back_huge(m);
            r.take(max.saturating_add(1).saturating_sub(len as u64))
                .read_to_end(&mut v)?;
            return Ok((v.len() as u64 <= max).then(|| into_bytes(v)));
        }
    }
    let mut buf = take(n);
    r.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Ok(None);
    }
    Ok(Some(into_bytes(buf)))
}

/// This thread's spare huge-page buffer when it has `n` bytes, else a new one (`None`
/// when the mapping fails: the caller uses an ordinary buffer).
fn take_huge(n: usize) -> Option<MmapMut> {
    if let Some(m) = SPARE_HUGE.try_with(|s| s.take()).ok().flatten() {
        if m.len() >= n {
            return Some(m);
        }
    }
    let size = if n <= KEEP_MAX {
        n.next_power_of_two()
    } else {
        n.div_ceil(HUGE_MIN) * HUGE_MIN
    };
    let m = MmapMut::map_anon(size).ok()?;
    // Only a request: without transparent huge pages the mapping works as it is.
    #[cfg(target_os = "linux")]
    let _ = m.advise(memmap2::Advice::HugePage);
    Some(m)
}

/// Keeps `m` as this thread's spare huge-page buffer (the larger of two; none over
/// [`KEEP_MAX`]).
fn give_back_huge(m: MmapMut) {
    if m.len() <= KEEP_MAX {
        keep_larger(&SPARE_HUGE, m, |m| m.len());
    }
}

/// Puts `v` in the thread's spare `slot` unless the one there is larger (a thread
/// that is exiting keeps nothing).
fn keep_larger<T>(
    slot: &'static std::thread::LocalKey<Cell<Option<T>>>,
    v: T,
    size: fn(&T) -> usize,
) {
    let _ = slot.try_with(|s| {
        let old = s.take();
        s.set(match old {
            Some(o) if size(&o) >= size(&v) => Some(o),
            _ => Some(v),
        });
    });
}

/// A huge-page buffer holding `len` bytes of a blob; back to its thread's spare slot
/// when the last reference drops.
struct Huge(Option<MmapMut>, usize);

impl AsRef<[u8]> for Huge {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref().map_or(&[], |m| &m[..self.1])
    }
}

impl Drop for Huge {
    fn drop(&mut self) {
        if let Some(m) = self.0.take() {
            give_back_huge(m);
        }
    }
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
        keep_larger(&SPARE, std::mem::take(&mut self.0), |v| v.capacity());
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

    fn bytes(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
    }

    #[test]
    fn large_files_read_whole_into_a_reused_huge_page_buffer() {
        let big = bytes(HUGE_MIN + 12_345, 7);
        let a = read_all(&mut std::io::Cursor::new(&big), big.len(), u64::MAX)
            .unwrap()
            .unwrap();
        assert_eq!(&a[..], &big[..]);
        let ptr = a.as_ptr();
        drop(a);
        let spare = SPARE_HUGE.with(|s| {
            let m = s.take();
            let len = m.as_ref().map(|m| m.len());
            s.set(m);
            len
        });
        assert!(
            spare.is_some_and(|l| l > big.len()),
            "no spare huge buffer kept"
        );
        let other = bytes(HUGE_MIN + 99, 3);
        let b = read_all(&mut std::io::Cursor::new(&other), other.len(), u64::MAX)
            .unwrap()
            .unwrap();
        assert_eq!(&b[..], &other[..]);
        assert_eq!(b.as_ptr(), ptr, "the spare huge buffer was not reused");
        // Small files take the ordinary buffer.
        let small = bytes(1000, 1);
        let c = read_all(&mut std::io::Cursor::new(&small), small.len(), u64::MAX)
            .unwrap()
            .unwrap();
        assert_eq!(&c[..], &small[..]);
    }

    #[test]
    fn files_that_grow_or_shrink_while_read() {
        for n in [100, HUGE_MIN, 3 * HUGE_MIN] {
            // More bytes than the size said: all of them, up to the cap.
            let grown = bytes(2 * n + 70_000, 5);
            let got = read_all(&mut std::io::Cursor::new(&grown), n, u64::MAX)
                .unwrap()
                .unwrap();
            assert_eq!(&got[..], &grown[..], "grown from {n}");
            drop(got);
            let cap = (n + 10) as u64;
            assert!(read_all(&mut std::io::Cursor::new(&grown), n, cap)
                .unwrap()
                .is_none());
            // Fewer: what there was.
            let shrunk = bytes(n / 2, 9);
            let got = read_all(&mut std::io::Cursor::new(&shrunk), n, u64::MAX)
                .unwrap()
                .unwrap();
            assert_eq!(&got[..], &shrunk[..], "shrunk from {n}");
        }
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
