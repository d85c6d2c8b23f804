//! How the C library's allocator gives memory back. By default glibc
//! raises its threshold for mapping large blocks after the first such
//! block is freed, so that a program that builds and drops a large table
//! every few seconds (the live view's frames) keeps each one's pages in a
//! heap that only grows. A fixed threshold maps every large block and
//! unmaps it when it is dropped.

/// Blocks of this many bytes or more get pages of their own.
const LARGE: libc::c_int = 128 * 1024;

/// Fixes the threshold (which also stops its raising); on a C library
/// without it, nothing changes.
pub fn return_large_blocks() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets an allocator parameter; it reads and
    // writes no memory of ours and may be called at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE);
    }
    #[cfg(not(target_env = "gnu"))]
    let _ = LARGE;
}
