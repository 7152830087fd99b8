//! The only place that turns C pointers into Rust references.
//!
//! Every helper checks for NULL first and returns
//! `WSFRAME_RESULT_NULL_POINTER`; `(NULL, 0)` is an empty slice, and a length
//! above `isize::MAX` (a `read()` that returned -1, passed on) is refused.
//! The callers' `# Safety` sections state what C must guarantee beyond that
//! (pointers valid for their lengths, objects that came from this library);
//! overlap between what a call writes and what it reads is checked here
//! ([`disjoint`]), not assumed.

use core::ffi::{c_char, c_void};
use core::mem::{MaybeUninit, align_of, size_of};
use core::ptr::{self, NonNull};

use wsframe::{Connection, RandomError, RandomSource};

use crate::result::*;

/// Whether `(ptr, len)` is a buffer: `Ok(false)` for the empty `(NULL, 0)`.
fn check<T>(ptr: *const T, len: usize) -> Result<bool, wsframe_result> {
    if len > isize::MAX as usize {
        // No object is that large: a negative ssize_t passed as a length.
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    match (ptr.is_null(), len) {
        (true, 0) => Ok(false),
        (true, _) => Err(WSFRAME_RESULT_NULL_POINTER),
        _ => Ok(true),
    }
}

/// A region of memory a call reads or writes. NULL is an empty region.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span(usize, usize);

impl Span {
    /// `len` bytes at `ptr`.
    pub(crate) fn bytes<T>(ptr: *const T, len: usize) -> Self {
        Self(ptr as usize, if ptr.is_null() { 0 } else { len })
    }

    /// The `T` at `ptr` (an out-parameter or a struct).
    pub(crate) fn of<T>(ptr: *const T) -> Self {
        Self::bytes(ptr, size_of::<T>())
    }

    fn overlaps(self, o: Self) -> bool {
        let end = |s: Self| s.0.saturating_add(s.1);
        self.1 != 0 && o.1 != 0 && self.0 < end(o) && o.0 < end(self)
    }
}

/// `INVALID_ARGUMENT` unless every region `a` writes is disjoint from every
/// other region it touches: Rust must never see one buffer as both `&[u8]`
/// and `&mut [u8]`, and C output must not overwrite an input while it is
/// read. Each pair is visited once, with no list in memory: the argument
/// tuple's shape is known at compile time, so this unrolls into the pair
/// checks themselves.
fn disjoint<A: Arg>(a: &A) -> Result<(), wsframe_result> {
    let (mut clash, mut i) = (false, 0);
    a.each(&mut |x: Span, x_writes: bool| {
        let mut j = 0;
        a.each(&mut |y: Span, y_writes: bool| {
            clash |= j > i && (x_writes || y_writes) && x.overlaps(y);
            j += 1;
        });
        i += 1;
    });
    if clash { Err(WSFRAME_RESULT_INVALID_ARGUMENT) } else { Ok(()) }
}

/// A pointer argument of a C call, by what the call does with it; tuples of
/// them are arguments too.
pub(crate) trait Arg {
    /// What the call works with.
    type Value<'a>;
    /// Visits the memory it covers, and whether the call writes it.
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F);
    /// The value, once the pointer was checked.
    ///
    /// # Safety
    ///
    /// The pointer is valid as its function's `# Safety` section says, for `'a`.
    unsafe fn get<'a>(self) -> Result<Self::Value<'a>, wsframe_result>;
}

/// Bytes the call only reads: `(NULL, 0)` is empty.
pub(crate) struct In<T>(pub(crate) *const T, pub(crate) usize);
/// Bytes the call writes (or unmasks in place).
pub(crate) struct InOut<T>(pub(crate) *mut T, pub(crate) usize);
/// Caller text, which must be UTF-8; `None` for `(NULL, 0)`.
pub(crate) struct Text(pub(crate) *const c_char, pub(crate) usize);
/// An out-parameter, written only on success.
pub(crate) struct Put<T>(pub(crate) *mut T);
/// `n` out-slots of `T`: an array the call fills from the start.
pub(crate) struct Slots<T>(pub(crate) *mut T, pub(crate) usize);
/// `n` structs C wrote, an array the call reads in place; `(NULL, 0)` is empty.
pub(crate) struct Items<T>(pub(crate) *const T, pub(crate) usize);
/// A struct C wrote, copied (see [`read`]); NULL is an error.
pub(crate) struct Val<T>(pub(crate) *const T);
/// Memory the call reads (`false`) or writes (`true`) that no other argument
/// may share (an optional struct, the object a call works on), with no value.
pub(crate) struct Region(pub(crate) Span, pub(crate) bool);

impl<T> Arg for In<T> {
    type Value<'a> = &'a [u8];
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::bytes(self.0, self.1), false);
    }
    unsafe fn get<'a>(self) -> Result<&'a [u8], wsframe_result> {
        if !check(self.0, self.1)? {
            return Ok(&[]);
        }
        // SAFETY: non-NULL, at most isize::MAX bytes, readable for 'a
        // (caller contract).
        Ok(unsafe { core::slice::from_raw_parts(self.0.cast::<u8>(), self.1) })
    }
}

impl<T> Arg for InOut<T> {
    type Value<'a> = &'a mut [u8];
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::bytes(self.0, self.1), true);
    }
    unsafe fn get<'a>(self) -> Result<&'a mut [u8], wsframe_result> {
        if !check(self.0, self.1)? {
            return Ok(&mut []);
        }
        // SAFETY: non-NULL, at most isize::MAX bytes, and the caller
        // guarantees them ours for 'a (`args` checked no other argument
        // shares them).
        Ok(unsafe { core::slice::from_raw_parts_mut(self.0.cast::<u8>(), self.1) })
    }
}

impl Arg for Text {
    type Value<'a> = Option<&'a str>;
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::bytes(self.0, self.1), false);
    }
    unsafe fn get<'a>(self) -> Result<Option<&'a str>, wsframe_result> {
        // SAFETY: forwarded contract.
        let bytes = unsafe { In(self.0, self.1).get() }?;
        match (self.0.is_null(), core::str::from_utf8(bytes)) {
            (true, _) => Ok(None),
            (false, Ok(s)) => Ok(Some(s)),
            (false, Err(_)) => Err(WSFRAME_RESULT_INVALID_UTF8),
        }
    }
}

impl<T: 'static> Arg for Put<T> {
    type Value<'a> = Out<'a, T>;
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::of(self.0), true);
    }
    unsafe fn get<'a>(self) -> Result<Out<'a, T>, wsframe_result> {
        // Valid for a write of T for 'a unless NULL (caller contract).
        let p = NonNull::new(self.0).ok_or(WSFRAME_RESULT_NULL_POINTER)?;
        Ok(Out(p, core::marker::PhantomData))
    }
}

impl<T: 'static> Arg for Slots<T> {
    type Value<'a> = &'a mut [MaybeUninit<T>];
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::bytes(self.0, self.1.saturating_mul(size_of::<T>())), true);
    }
    unsafe fn get<'a>(self) -> Result<Self::Value<'a>, wsframe_result> {
        if !check(self.0, self.1.saturating_mul(size_of::<T>()))? {
            return Ok(&mut []);
        }
        if !self.0.is_aligned() {
            return Err(WSFRAME_RESULT_UNALIGNED);
        }
        // SAFETY: non-NULL, aligned, at most isize::MAX bytes, and the caller
        // lets us write them for 'a (`args` checked no other argument shares
        // them); MaybeUninit asks nothing of their contents.
        Ok(unsafe { core::slice::from_raw_parts_mut(self.0.cast(), self.1) })
    }
}

impl<T: FromC + 'static> Arg for Items<T> {
    type Value<'a> = &'a [T];
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::bytes(self.0, self.1.saturating_mul(size_of::<T>())), false);
    }
    unsafe fn get<'a>(self) -> Result<&'a [T], wsframe_result> {
        // Viewed in place, so no `bool` field could be normalised (see `read`).
        const { assert!(T::FLAGS.is_empty()) };
        if !check(self.0, self.1.saturating_mul(size_of::<T>()))? {
            return Ok(&[]);
        }
        if !self.0.is_aligned() {
            return Err(WSFRAME_RESULT_UNALIGNED);
        }
        // SAFETY: non-NULL, aligned, at most isize::MAX bytes, initialised and
        // not written for 'a (caller contract; `args` checked that nothing the
        // call writes shares them); `FromC` with no flags is valid for any bits.
        Ok(unsafe { core::slice::from_raw_parts(self.0, self.1) })
    }
}

/// `len` bytes at `data`, read by a call that writes the regions `written`:
/// a buffer an [`Items`] element points to, checked as [`In`] and [`args`]
/// check theirs.
///
/// # Safety
///
/// Unless NULL, `data` valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes_apart<'a>(
    data: *const u8,
    len: usize,
    written: &[Span; 2],
) -> Result<&'a [u8], wsframe_result> {
    let span = Span::bytes(data, len);
    if written.iter().any(|w| w.overlaps(span)) {
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: forwarded contract; nothing written for 'a shares them.
    unsafe { In(data, len).get() }
}

impl<T: FromC> Arg for Val<T> {
    type Value<'a> = T;
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::of(self.0), false);
    }
    unsafe fn get<'a>(self) -> Result<Self::Value<'a>, wsframe_result> {
        // SAFETY: forwarded contract.
        unsafe { read(self.0) }
    }
}

impl Arg for Region {
    type Value<'a> = ();
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(self.0, self.1);
    }
    unsafe fn get<'a>(self) -> Result<Self::Value<'a>, wsframe_result> {
        Ok(())
    }
}

impl Arg for () {
    type Value<'a> = ();
    fn each<F: FnMut(Span, bool)>(&self, _: &mut F) {}
    unsafe fn get<'a>(self) -> Result<Self::Value<'a>, wsframe_result> {
        Ok(())
    }
}

macro_rules! tuple_arg {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Arg),+> Arg for ($($t,)+) {
            type Value<'a> = ($($t::Value<'a>,)+);
            fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
                $(self.$i.each(f);)+
            }
            unsafe fn get<'a>(self) -> Result<Self::Value<'a>, wsframe_result> {
                // SAFETY: forwarded contract, element by element, in order.
                Ok(($(unsafe { self.$i.get() }?,)+))
            }
        }
    };
}
tuple_arg!(A 0);
tuple_arg!(A 0, B 1);
tuple_arg!(A 0, B 1, C 2);
tuple_arg!(A 0, B 1, C 2, D 3);
tuple_arg!(A 0, B 1, C 2, D 3, E 4);

/// Checks a call's pointer arguments and turns them into Rust values, in
/// order (so the first NULL is the one reported): `(NULL, 0)` is an empty
/// buffer, a length above `isize::MAX` is `INVALID_ARGUMENT` (a `read()`
/// that returned -1, passed on), and so is any overlap between a region the
/// call writes and any other argument.
///
/// # Safety
///
/// Each pointer valid as its function's `# Safety` section says, for `'a`.
pub(crate) unsafe fn args<'a, A: Arg>(a: A) -> Result<A::Value<'a>, wsframe_result> {
    disjoint(&a)?;
    // SAFETY: forwarded contract; no written region is shared.
    unsafe { a.get() }
}

/// A struct that C writes and the library reads.
///
/// # Safety
///
/// `FLAGS` lists the byte offset of every `bool` field, and every other field
/// must be valid for any bit pattern (integers, raw and `Option` pointers,
/// structs of those).
pub(crate) unsafe trait FromC: Copy {
    /// Offsets of the `bool` fields.
    const FLAGS: &'static [usize];
}

/// An all-zero value of a C struct: false, 0, NULL and None throughout
/// (where the output structs start).
pub(crate) fn zeroed<T: FromC>() -> T {
    // SAFETY: `FromC` types are plain C structs of integers, bools, raw
    // pointers and optional function pointers: all-zero bytes are a valid
    // value of each.
    unsafe { core::mem::zeroed() }
}

/// A copy of a struct C passed by pointer. Its `bool` fields are read as
/// bytes, non-zero meaning true: C can store any byte in one (through memset
/// or a `uint8_t *`), and a Rust `bool` that is neither 0 nor 1 is undefined
/// behaviour. The pointer need not be aligned.
///
/// # Safety
///
/// Unless NULL, `ptr` must be valid for reads of `size_of::<T>()` initialised bytes.
pub(crate) unsafe fn read<T: FromC>(ptr: *const T) -> Result<T, wsframe_result> {
    if ptr.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    let mut value = MaybeUninit::<T>::uninit();
    let bytes = value.as_mut_ptr().cast::<u8>();
    // SAFETY: the caller guarantees size_of::<T>() readable bytes; `value`
    // holds as many; a byte copy needs no alignment. Each flag offset is
    // inside T (FromC's contract), and normalising it to 0 or 1 leaves only
    // fields valid for any bits.
    unsafe {
        ptr::copy_nonoverlapping(ptr.cast::<u8>(), bytes, size_of::<T>());
        for &at in T::FLAGS {
            let flag = bytes.add(at);
            flag.write(u8::from(flag.read() != 0));
        }
        Ok(value.assume_init())
    }
}

/// An out-parameter, checked for NULL up front and written only on success.
pub(crate) struct Out<'a, T>(NonNull<T>, core::marker::PhantomData<&'a mut T>);

impl<T> Out<'_, T> {
    /// Stores `value` (the old contents are not read or dropped).
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL by `Put::get`, whose caller guaranteed it valid
        // for a write of T for 'a; `write_unaligned` needs no alignment.
        unsafe { self.0.as_ptr().write_unaligned(value) }
    }

    /// [`Out::write`], as a call's last step.
    pub(crate) fn done(self, value: T) -> Result<(), wsframe_result> {
        self.write(value);
        Ok(())
    }
}

/// The C random callback.
pub(crate) type RandomFn =
    unsafe extern "C" fn(user: *mut c_void, buf: *mut u8, len: usize) -> bool;

/// A connection's source of masking keys: the caller's callback, or the
/// operating system's generator in hosted builds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CRandom {
    pub(crate) fill: Option<RandomFn>,
    pub(crate) user: *mut c_void,
}

impl CRandom {
    /// The operating system's generator (none without `std`).
    pub(crate) const OS: Self = Self { fill: None, user: ptr::null_mut() };
}

impl RandomSource for CRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        match self.fill {
            // SAFETY: installed through a config whose writer promised that
            // `fill(user, buf, len)` writes `len` bytes to `buf`.
            Some(f) => match unsafe { f(self.user, dest.as_mut_ptr(), dest.len()) } {
                true => Ok(()),
                false => Err(RandomError),
            },
            // A CSPRNG seeded and reseeded from the OS, per thread: no system
            // call per frame (RFC 6455 §10.3 asks for unpredictable keys, not
            // for a fresh syscall for each).
            #[cfg(feature = "std")]
            None => wsframe::CryptoRandom(rand::rng()).fill(dest),
            #[cfg(not(feature = "std"))]
            None => Err(RandomError),
        }
    }
}

/// A Rust value living in C memory behind a tag that marks it live, so that
/// a call on zeroed, never-initialised or ended storage fails with
/// `WSFRAME_RESULT_INVALID_HANDLE` instead of reading garbage as a value.
/// (Freed heap memory cannot be told apart: using it is undefined.)
#[repr(C)]
pub(crate) struct Tagged<T> {
    tag: u64,
    /// The object's address when it was made: a byte copy elsewhere differs.
    home: usize,
    pub(crate) value: T,
}

/// Writes a tagged `value` into caller storage `dst` of `len` bytes,
/// replacing whatever was there without reading it.
///
/// # Safety
///
/// Unless NULL, `dst` must be valid for writes of `len` bytes and not accessed
/// elsewhere for `'a`.
pub(crate) unsafe fn init_tagged<'a, T>(
    dst: *mut c_void,
    len: usize,
    tag: u64,
    value: T,
) -> Result<&'a mut T, wsframe_result> {
    let p = dst.cast::<Tagged<T>>();
    if p.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    if len < size_of::<Tagged<T>>() {
        return Err(WSFRAME_RESULT_STORAGE_TOO_SMALL);
    }
    if !p.is_aligned() {
        return Err(WSFRAME_RESULT_UNALIGNED);
    }
    // SAFETY: non-NULL, aligned, and large enough; the caller lets us write;
    // `write` neither reads nor drops the old bytes. Then just initialised,
    // and the caller guarantees no other access for 'a.
    unsafe {
        p.write(Tagged { tag, home: p as usize, value });
        Ok(&mut (*p).value)
    }
}

/// The object behind `ptr` if it carries `tag` (and, with `home`, was made
/// at this address).
///
/// # Safety
///
/// Unless NULL, `ptr` must point to at least `size_of::<Tagged<T>>()`
/// readable, initialised bytes that hold a valid `Tagged<T>` whenever the tag
/// word is `tag` (true of memory written only by this module).
unsafe fn live<T>(ptr: *const T, tag: u64, home: bool) -> Result<*mut Tagged<T>, wsframe_result> {
    let p = ptr.cast::<Tagged<T>>().cast_mut();
    if p.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    // SAFETY: non-NULL and, if aligned, readable and initialised (caller
    // contract); the tag and address are plain integers, valid for any bits.
    match p.is_aligned() && unsafe { (*p).tag == tag && (!home || (*p).home == p as usize) } {
        true => Ok(p),
        false => Err(WSFRAME_RESULT_INVALID_HANDLE),
    }
}

/// A library object in C memory behind `TAG` (a connection, session,
/// backoff or client handshake): the live value, written by the call.
pub(crate) struct Obj<T, const TAG: u64>(pub(crate) *mut T);
/// As [`Obj`], only read by the call.
pub(crate) struct ObjRef<T, const TAG: u64>(pub(crate) *const T);

impl<T, const TAG: u64> Obj<T, TAG> {
    /// The memory the object takes, which the call writes.
    pub(crate) fn span(&self) -> Span {
        Span::bytes(self.0, size_of::<Tagged<T>>())
    }
}

impl<T: 'static, const TAG: u64> Arg for Obj<T, TAG> {
    type Value<'a> = &'a mut T;
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(self.span(), true);
    }
    unsafe fn get<'a>(self) -> Result<&'a mut T, wsframe_result> {
        // SAFETY: forwarded contract; the tag vouches for a valid T, and C
        // hands out handles to writable memory, ours for 'a. Connections
        // must also be where they were made (the storage contract).
        unsafe { live(self.0, TAG, TAG == TAG_CONN).map(|p| &mut (*p).value) }
    }
}

impl<T: 'static, const TAG: u64> Arg for ObjRef<T, TAG> {
    type Value<'a> = &'a T;
    fn each<F: FnMut(Span, bool)>(&self, f: &mut F) {
        f(Span::bytes(self.0, size_of::<Tagged<T>>()), false);
    }
    unsafe fn get<'a>(self) -> Result<&'a T, wsframe_result> {
        // SAFETY: forwarded contract; the tag vouches for a valid T, not
        // written for 'a.
        unsafe { live(self.0, TAG, false).map(|p| &(*p).value) }
    }
}

/// Tags of connections and sessions (the other objects have theirs).
pub(crate) const TAG_CONN: u64 = u64::from_be_bytes(*b"wsfrConn");
#[cfg(feature = "std")]
pub(crate) const TAG_SESSION: u64 = u64::from_be_bytes(*b"wsfrSess");

/// A connection as it lives behind a `wsframe_conn` handle.
pub(crate) type Conn = Connection<CRandom>;
/// The live connection behind a `wsframe_conn *`.
pub(crate) type Handle = Obj<Conn, TAG_CONN>;

/// Size and alignment `wsframe_conn_init` needs.
pub(crate) const CONN_LAYOUT: (usize, usize) =
    (size_of::<Tagged<Conn>>(), align_of::<Tagged<Conn>>());

/// Builds a connection in `len` bytes of caller storage at `dst`; storage
/// holding a live connection is refused with `WSFRAME_RESULT_IN_USE`.
///
/// # Safety
///
/// Unless NULL, `dst` must be valid for reads and writes of `len` bytes, and
/// stay allocated and unmoved until the connection is ended.
pub(crate) unsafe fn init_conn(
    dst: *mut c_void,
    len: usize,
    conn: Conn,
) -> Result<(), wsframe_result> {
    // SAFETY: if large enough, `len` readable bytes (caller contract).
    if len >= CONN_LAYOUT.0 && unsafe { live(dst.cast::<Conn>(), TAG_CONN, true) }.is_ok() {
        // Starting over would leak what the live connection owns.
        return Err(WSFRAME_RESULT_IN_USE);
    }
    // SAFETY: forwarded contract.
    unsafe { init_tagged(dst, len, TAG_CONN, conn) }.map(|_| ())
}

/// Ends the object at `ptr`: clears its tag and drops it in place (a
/// connection's storage is the caller's again); a session's box is freed.
///
/// # Safety
///
/// Unless NULL, `ptr` holds a live `T` made by this module with `tag` (a
/// session from [`new_session`]); it must not be used afterwards.
pub(crate) unsafe fn end<T>(ptr: *mut T, tag: u64) -> Result<(), wsframe_result> {
    // SAFETY: forwarded contract.
    let p = unsafe { live(ptr, tag, tag == TAG_CONN) }?;
    // SAFETY: a live Tagged<T> (checked): clear the tag, then drop the value
    // in place, or rebuild and drop the Box `new_session` leaked.
    unsafe {
        (*p).tag = 0;
        match tag {
            #[cfg(feature = "std")]
            TAG_SESSION => drop(std::boxed::Box::from_raw(p)),
            _ => ptr::drop_in_place(ptr::addr_of_mut!((*p).value)),
        }
    }
    Ok(())
}

/// A session on the heap, owned by C until [`end`].
#[cfg(feature = "std")]
pub(crate) fn new_session<T>(value: T) -> *mut T {
    let b = std::boxed::Box::new(Tagged { tag: TAG_SESSION, home: 0, value });
    std::boxed::Box::into_raw(b).cast()
}

/// The memory of the object behind `ptr`, which no argument may share.
#[cfg(feature = "std")]
pub(crate) fn region<T>(ptr: *const T) -> Region {
    Region(Span::bytes(ptr, size_of::<Tagged<T>>()), true)
}
