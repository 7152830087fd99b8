//! The only place that turns C pointers into Rust references.
//!
//! Every helper checks for NULL first and returns
//! `WSFRAME_RESULT_NULL_POINTER`; `(NULL, 0)` is an empty slice. The callers'
//! `# Safety` sections state what C must guarantee beyond that (pointers
//! valid for their lengths, no aliasing with other arguments, objects that
//! came from this library).

use core::ffi::c_void;
use core::mem::{align_of, size_of};
use core::ptr::{self, NonNull};

use wsframe::RandomSource;

use crate::conn::{Conn, ConnCore, wsframe_conn};
use crate::random::{KeySource, RandomFn};
use crate::result::wsframe_result::{self, *};

/// `ptr`/`len` as a read-only byte slice; `(NULL, 0)` is empty.
///
/// # Safety
///
/// Unless NULL, `ptr` must be valid for reads of `len` bytes for `'a`, and
/// not written through any other pointer meanwhile.
pub(crate) unsafe fn slice<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], wsframe_result> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(WSFRAME_RESULT_NULL_POINTER) };
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes that
    // nothing else writes for 'a. `len` bytes of C memory never exceed isize::MAX.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `ptr`/`len` as a writable byte slice; `(NULL, 0)` is empty.
///
/// # Safety
///
/// Unless NULL, `ptr` must be valid for reads and writes of `len` bytes for
/// `'a`, and not accessed through any other pointer meanwhile.
pub(crate) unsafe fn slice_mut<'a>(
    ptr: *mut u8,
    len: usize,
) -> Result<&'a mut [u8], wsframe_result> {
    if ptr.is_null() {
        return if len == 0 { Ok(&mut []) } else { Err(WSFRAME_RESULT_NULL_POINTER) };
    }
    // SAFETY: non-NULL, and the caller guarantees `len` bytes exclusively ours for 'a.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// Whether two byte ranges share an address (Rust must not see one buffer
/// as both `&[u8]` and `&mut [u8]`).
pub(crate) fn overlap(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    a_len != 0 && b_len != 0 && a < b.saturating_add(b_len) && b < a.saturating_add(a_len)
}

/// A copy of a plain C struct the caller passed by pointer.
///
/// # Safety
///
/// Unless NULL, `ptr` must be valid and aligned for a read of an initialised `T`.
pub(crate) unsafe fn read<T: Copy>(ptr: *const T) -> Result<T, wsframe_result> {
    if ptr.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    // SAFETY: non-NULL; the caller guarantees a valid, aligned T.
    Ok(unsafe { ptr.read() })
}

/// An out-parameter, checked for NULL up front and written only on success.
pub(crate) struct Out<'a, T>(NonNull<T>, core::marker::PhantomData<&'a mut T>);

impl<T> Out<'_, T> {
    /// Stores `value` (the old contents are not read or dropped).
    pub(crate) fn write(self, value: T) {
        // SAFETY: `out` checked non-NULL, and its caller guaranteed it valid
        // and aligned for a write of T for 'a.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Checks an out-parameter for NULL.
///
/// # Safety
///
/// Unless NULL, `ptr` must be valid and aligned for a write of `T` for `'a`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T) -> Result<Out<'a, T>, wsframe_result> {
    match NonNull::new(ptr) {
        Some(p) => Ok(Out(p, core::marker::PhantomData)),
        None => Err(WSFRAME_RESULT_NULL_POINTER),
    }
}

/// A Rust value living in C memory behind a tag that marks it live.
///
/// Used for caller-allocated objects (`wsframe_conn_init` storage, the
/// `wsframe_keepalive` and `wsframe_backoff` structs): the tag lets a call
/// on never-initialised or deinitialised memory fail with
/// `WSFRAME_RESULT_INVALID_HANDLE` instead of reading garbage as a value.
#[repr(C)]
pub(crate) struct Tagged<T> {
    tag: u64,
    pub(crate) value: T,
}

impl<T> Tagged<T> {
    pub(crate) const fn new(tag: u64, value: T) -> Self {
        Self { tag, value }
    }
}

/// Writes `value` into caller storage `dst` of `len` bytes, replacing
/// whatever was there without reading it. Too-small or misaligned storage is
/// reported, not assumed.
///
/// # Safety
///
/// Unless NULL, `dst` must be valid for writes of `len` bytes and not accessed
/// elsewhere for `'a`.
pub(crate) unsafe fn init_tagged<'a, T>(
    dst: *mut c_void,
    len: usize,
    value: Tagged<T>,
) -> Result<&'a mut Tagged<T>, wsframe_result> {
    if dst.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    if len < size_of::<Tagged<T>>() {
        return Err(WSFRAME_RESULT_STORAGE_TOO_SMALL);
    }
    let dst = dst.cast::<Tagged<T>>();
    if !dst.is_aligned() {
        return Err(WSFRAME_RESULT_UNALIGNED);
    }
    // SAFETY: non-NULL, aligned, and at least size_of::<Tagged<T>>() bytes
    // the caller lets us write; `write` neither reads nor drops the old bytes.
    unsafe { dst.write(value) };
    // SAFETY: just initialised; the caller guarantees no other access for 'a.
    Ok(unsafe { &mut *dst })
}

/// Checks that `ptr` holds a live `Tagged<T>` whose tag `accept`s, and
/// returns the pointer and the tag.
///
/// # Safety
///
/// Unless NULL, `ptr` must point to at least `size_of::<Tagged<T>>()`
/// readable, initialised bytes that hold a valid `Tagged<T>` whenever the tag
/// word is one `accept` takes (true of memory written only by this module).
unsafe fn check_tag<T>(
    ptr: *const c_void,
    accept: impl Fn(u64) -> bool,
) -> Result<(*const Tagged<T>, u64), wsframe_result> {
    let p = ptr.cast::<Tagged<T>>();
    if p.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    if !p.is_aligned() {
        return Err(WSFRAME_RESULT_INVALID_HANDLE);
    }
    // SAFETY: non-NULL and aligned; the caller guarantees readable,
    // initialised bytes. The tag is a plain u64, valid for any bits.
    let tag = unsafe { ptr::addr_of!((*p).tag).read() };
    if accept(tag) { Ok((p, tag)) } else { Err(WSFRAME_RESULT_INVALID_HANDLE) }
}

/// The live value behind `ptr`, and its tag.
///
/// # Safety
///
/// As for `check_tag`, and nothing else may access the object for `'a`.
pub(crate) unsafe fn tagged_mut<'a, T>(
    ptr: *mut c_void,
    accept: impl Fn(u64) -> bool,
) -> Result<(&'a mut T, u64), wsframe_result> {
    // SAFETY: forwarded contract.
    let (p, tag) = unsafe { check_tag::<T>(ptr, accept) }?;
    // SAFETY: the tag says a valid Tagged<T> lives here; `p` came from a
    // `*mut`, and the caller grants exclusive access for 'a.
    Ok((unsafe { &mut (*p.cast_mut()).value }, tag))
}

/// Shared-reference variant of [`tagged_mut`].
///
/// # Safety
///
/// As for `check_tag`, and nothing may write the object for `'a`.
pub(crate) unsafe fn tagged_ref<'a, T>(
    ptr: *const c_void,
    accept: impl Fn(u64) -> bool,
) -> Result<&'a T, wsframe_result> {
    // SAFETY: forwarded contract.
    let (p, _) = unsafe { check_tag::<T>(ptr, accept) }?;
    // SAFETY: the tag says a valid Tagged<T> lives here; no writer for 'a.
    Ok(unsafe { &(*p).value })
}

/// Calls a C random callback to fill `buf`.
///
/// # Safety
///
/// `fill` and `user` must be what the C caller installed, with the contract
/// of `wsframe_conn_set_random`: `fill(user, buf, len)` writes `len` random
/// bytes to `buf` and returns true, or returns false.
pub(crate) unsafe fn call_random(fill: RandomFn, user: *mut c_void, buf: &mut [u8]) -> bool {
    // SAFETY: the installer's contract; `buf` is valid for `buf.len()` writes.
    unsafe { fill(user, buf.as_mut_ptr(), buf.len()) }
}

/// The core's view of a connection's key source: it forwards each draw to
/// the [`KeySource`] stored beside the `Connection` in the same object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyProxy(*const KeySource);

impl RandomSource for KeyProxy {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), wsframe::RandomError> {
        // SAFETY: `init_conn` points this at the `keys` field of the same
        // `Tagged<Conn>` that holds this proxy, so it lives exactly as long;
        // the object never moves (`conn_parts` checks `home` before any
        // call reaches the core); `KeySource` is only ever shared (`Cell`s).
        unsafe { &*self.0 }.fill(dest)
    }
}

/// Tags for connections made by `wsframe_conn_new` and `wsframe_conn_init`.
pub(crate) const TAG_CONN_HEAP: u64 = u64::from_be_bytes(*b"wsfrCnH\0");
pub(crate) const TAG_CONN_STORAGE: u64 = u64::from_be_bytes(*b"wsfrCnS\0");

fn is_conn_tag(tag: u64) -> bool {
    tag == TAG_CONN_HEAP || tag == TAG_CONN_STORAGE
}

/// Size and alignment `wsframe_conn_init` needs.
pub(crate) const CONN_LAYOUT: (usize, usize) =
    (size_of::<Tagged<Conn>>(), align_of::<Tagged<Conn>>());

/// Builds a connection in `len` bytes at `dst`, tagged `tag`. `make` gets the
/// key proxy the core's `Connection` must use.
///
/// # Safety
///
/// Unless NULL, `dst` must be valid for writes of `len` bytes, and stay
/// allocated and unmoved until the connection is deinitialised or freed.
pub(crate) unsafe fn init_conn(
    dst: *mut c_void,
    len: usize,
    tag: u64,
    make: impl FnOnce(KeyProxy) -> ConnCore,
) -> Result<*mut wsframe_conn, wsframe_result> {
    if dst.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    if len < size_of::<Tagged<Conn>>() {
        return Err(WSFRAME_RESULT_STORAGE_TOO_SMALL);
    }
    let p = dst.cast::<Tagged<Conn>>();
    if !p.is_aligned() {
        return Err(WSFRAME_RESULT_UNALIGNED);
    }
    // SAFETY: in bounds of the checked storage; only the address is taken.
    let keys = unsafe { ptr::addr_of!((*p).value.keys) };
    let conn = Conn { keys: KeySource::new(), home: p as usize, core: make(KeyProxy(keys)) };
    // SAFETY: non-NULL, aligned, large enough, writable (caller contract);
    // the old contents are neither read nor dropped.
    unsafe { p.write(Tagged::new(tag, conn)) };
    Ok(p.cast())
}

/// Checks a connection handle: non-NULL, live, not moved.
///
/// # Safety
///
/// Unless NULL, `ptr` must point to readable memory of at least
/// `size_of::<Tagged<Conn>>()` bytes (true of any pointer `wsframe_conn_new`
/// or `wsframe_conn_init` returned, until it is freed).
unsafe fn check_conn(ptr: *const wsframe_conn) -> Result<(*mut Tagged<Conn>, u64), wsframe_result> {
    // SAFETY: forwarded contract.
    let (p, tag) = unsafe { check_tag::<Conn>(ptr.cast(), is_conn_tag) }?;
    // SAFETY: the tag says a Conn lives here; `home` is a plain usize.
    let home = unsafe { ptr::addr_of!((*p).value.home).read() };
    if home != p as usize {
        // A byte copy of a connection: its key proxy points at the original.
        return Err(WSFRAME_RESULT_INVALID_HANDLE);
    }
    Ok((p.cast_mut(), tag))
}

/// The connection behind a handle, split so that the core's `Connection`
/// and the key source it reads can be used at once.
///
/// # Safety
///
/// As for `check_conn`, and no other call may use the connection for `'a`
/// (a connection is not thread-safe).
pub(crate) unsafe fn conn_parts<'a>(
    ptr: *mut wsframe_conn,
) -> Result<(&'a mut ConnCore, &'a KeySource), wsframe_result> {
    // SAFETY: forwarded contract.
    let (p, _) = unsafe { check_conn(ptr) }?;
    // SAFETY: a live, unmoved Conn; `core` and `keys` are disjoint fields,
    // each borrowed once, and the caller grants exclusive use for 'a.
    unsafe { Ok((&mut *ptr::addr_of_mut!((*p).value.core), &*ptr::addr_of!((*p).value.keys))) }
}

/// Shared access for getters.
///
/// # Safety
///
/// As for `check_conn`, and nothing may write the connection for `'a`.
pub(crate) unsafe fn conn_ref<'a>(
    ptr: *const wsframe_conn,
) -> Result<&'a ConnCore, wsframe_result> {
    // SAFETY: forwarded contract.
    let (p, _) = unsafe { check_conn(ptr) }?;
    // SAFETY: a live Conn, and no writer for 'a.
    Ok(unsafe { &*ptr::addr_of!((*p).value.core) })
}

/// Ends a connection: a heap one is freed, a storage one dropped in place
/// and its tag cleared (its memory is the caller's again).
///
/// # Safety
///
/// As for `check_conn`; the handle must not be used afterwards.
pub(crate) unsafe fn end_conn(
    ptr: *mut wsframe_conn,
    allow_heap: bool,
) -> Result<(), wsframe_result> {
    // SAFETY: forwarded contract.
    let (p, tag) = unsafe { check_conn(ptr) }?;
    if tag == TAG_CONN_HEAP && !allow_heap {
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: a live Conn (checked): clear the tag, then drop it in place
    // (storage) or rebuild and drop the Box `new_conn_box` leaked (heap).
    unsafe {
        ptr::addr_of_mut!((*p).tag).write(0);
        if tag == TAG_CONN_STORAGE {
            ptr::drop_in_place(ptr::addr_of_mut!((*p).value));
        } else {
            #[cfg(feature = "std")]
            drop(std::boxed::Box::from_raw(p));
        }
    }
    Ok(())
}

/// Allocates uninitialised heap storage for one connection, for `init_conn`.
#[cfg(feature = "std")]
pub(crate) fn new_conn_box() -> (*mut c_void, usize) {
    let b = std::boxed::Box::<Tagged<Conn>>::new_uninit();
    (std::boxed::Box::into_raw(b).cast(), size_of::<Tagged<Conn>>())
}
