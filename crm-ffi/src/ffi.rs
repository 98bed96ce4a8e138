//! Every pointer conversion of the crate, in one place: handles in and out, strings in and
//! out, out-parameters, the panic boundary and the per-thread last error.
//!
//! Handles are `Box`es whose addresses are kept in a registry with their Rust type. A pointer is
//! dereferenced only after the registry says it is live and of the expected type, so a handle
//! freed twice, used after `_free`, or passed as the wrong type is answered with
//! `CRM_ERR_INVALID_ARGUMENT` instead of undefined behaviour (an address reused by a later
//! allocation of the same type cannot be told apart). The registry keeps each address inverted,
//! so that it does not hide a handle the caller forgot to free from a leak checker.

use std::any::TypeId;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};

use crate::status::{Failure, crm_status};

/// A Rust value that crosses the boundary behind an opaque C type.
pub(crate) trait Handle: Sized + 'static {
    /// The opaque type C sees (`crm_customer`...).
    type C;
    /// Its C name, for error messages.
    const NAME: &'static str;
}

/// Whether a live address is a handle the caller owns (and frees) or an item borrowed from one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ownership {
    Owned,
    Borrowed,
}

/// The registry: live handle addresses (inverted, see the module docs) and their Rust type.
type Registry = HashMap<usize, (TypeId, Ownership)>;

static LIVE: Mutex<Option<Registry>> = Mutex::new(None);

fn with_live<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut guard = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    f(guard.get_or_insert_with(HashMap::new))
}

/// The registry key of an address: inverted, so that the map holds no pointer to the handle.
fn key(addr: usize) -> usize {
    !addr
}

/// How many handles and strings the caller owns and has not freed yet.
pub(crate) fn owned_count() -> usize {
    with_live(|live| {
        live.values()
            .filter(|(_, ownership)| *ownership == Ownership::Owned)
            .count()
    })
}

/// Moves `value` to the heap and returns it as its opaque C type; the caller owns it.
pub(crate) fn into_raw<T: Handle>(value: T) -> *mut T::C {
    let ptr = Box::into_raw(Box::new(value));
    with_live(|live| live.insert(key(ptr as usize), (TypeId::of::<T>(), Ownership::Owned)));
    ptr.cast()
}

/// Registers items borrowed from an owned handle (list elements) so that they can be read.
pub(crate) fn lend<T: Handle>(items: &[T]) {
    with_live(|live| {
        for item in items {
            let addr = std::ptr::from_ref(item) as usize;
            live.insert(key(addr), (TypeId::of::<T>(), Ownership::Borrowed));
        }
    });
}

/// Forgets items lent by [`lend`], before their owner is dropped.
pub(crate) fn unlend<T: Handle>(items: &[T]) {
    with_live(|live| {
        for item in items {
            live.remove(&key(std::ptr::from_ref(item) as usize));
        }
    });
}

/// The item at `i` of a lent slice, as its opaque C type (NULL past the end).
pub(crate) fn item_ptr<T: Handle>(items: &[T], i: usize) -> *const T::C {
    items
        .get(i)
        .map_or(std::ptr::null(), |item| std::ptr::from_ref(item).cast())
}

fn check<T: Handle>(ptr: usize, name: &str, owned_only: bool) -> Result<(), Failure> {
    with_live(|live| check_in::<T>(live, ptr, name, owned_only))
}

fn check_in<T: Handle>(
    live: &Registry,
    ptr: usize,
    name: &str,
    owned_only: bool,
) -> Result<(), Failure> {
    if ptr == 0 {
        return Err(Failure::invalid(format!("{name} is NULL")));
    }
    match live.get(&key(ptr)).copied() {
        Some((ty, ownership))
            if ty == TypeId::of::<T>() && (!owned_only || ownership == Ownership::Owned) =>
        {
            Ok(())
        }
        Some((ty, _)) if ty == TypeId::of::<T>() => Err(Failure::invalid(format!(
            "{name} is borrowed from a list: free the list instead"
        ))),
        _ => Err(Failure::invalid(format!(
            "{name} is not a live {} (freed already, or another type)",
            T::NAME
        ))),
    }
}

/// Runs `f` on the value behind an owned handle while the registry is locked, so that another
/// thread cannot free it meanwhile: for taking a clone of a shared handle (database, tenant)
/// that the call then works on, whatever happens to the handle.
pub(crate) fn with<T: Handle, R>(
    ptr: *const T::C,
    name: &str,
    f: impl FnOnce(&T) -> R,
) -> Result<R, Failure> {
    with_live(|live| {
        check_in::<T>(live, ptr as usize, name, true)?;
        // SAFETY: the registry, locked, holds this address as a live owned `T` from `into_raw`;
        // `free` must take the same lock to unregister it before dropping it.
        #[allow(unsafe_code)]
        Ok(f(unsafe { &*ptr.cast::<T>() }))
    })
}

/// Borrows the value behind a handle (owned or lent).
pub(crate) fn get<'a, T: Handle>(ptr: *const T::C, name: &str) -> Result<&'a T, Failure> {
    check::<T>(ptr as usize, name, false)?;
    // SAFETY: the registry holds this address as a live `T` (made by `into_raw` or `lend`).
    #[allow(unsafe_code)]
    Ok(unsafe { &*ptr.cast::<T>() })
}

/// Borrows the value behind an owned handle mutably.
pub(crate) fn get_mut<'a, T: Handle>(ptr: *mut T::C, name: &str) -> Result<&'a mut T, Failure> {
    check::<T>(ptr as usize, name, true)?;
    // SAFETY: the registry holds this address as a live owned `T` made by `into_raw`.
    #[allow(unsafe_code)]
    Ok(unsafe { &mut *ptr.cast::<T>() })
}

/// Frees an owned handle. NULL does nothing; a pointer that is not a live owned `T` is left
/// alone and reported (the export turns it into the last error).
pub(crate) fn free<T: Handle>(ptr: *mut T::C) -> Result<(), Failure> {
    if ptr.is_null() {
        return Ok(());
    }
    let addr = key(ptr as usize);
    let removed = with_live(|live| match live.get(&addr) {
        Some(&(ty, Ownership::Owned)) if ty == TypeId::of::<T>() => live.remove(&addr).is_some(),
        _ => false,
    });
    if !removed {
        return Err(Failure::invalid(format!(
            "{}_free: not a live {} (freed twice, borrowed from a list, or another type)",
            T::NAME,
            T::NAME
        )));
    }
    // SAFETY: the address was a live owned `T` from `Box::into_raw`, now unregistered.
    #[allow(unsafe_code)]
    drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
    Ok(())
}

/// A NUL-terminated UTF-8 argument.
pub(crate) fn text_in<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::invalid(format!("{name} is NULL")));
    }
    // SAFETY: the caller passes a NUL-terminated string that lives for the call (header).
    #[allow(unsafe_code)]
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|_| Failure::invalid(format!("{name}: not valid UTF-8")))
}

/// `len` bytes at `ptr`, copied (NULL is accepted for no bytes).
pub(crate) fn bytes_in(ptr: *const u8, len: usize, name: &str) -> Result<Vec<u8>, Failure> {
    slice_in(ptr, len, name).map(<[u8]>::to_vec)
}

/// `len` items at `ptr` (NULL allowed when `len` is 0), borrowed for the call. A length no
/// array can have (more than `isize::MAX` bytes) is an invalid argument, never a read.
pub(crate) fn slice_in<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::invalid(format!("{name} is NULL")));
    }
    if len
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|bytes| isize::try_from(bytes).is_err())
    {
        return Err(Failure::invalid(format!(
            "{name}: a length of {len} is too large"
        )));
    }
    // SAFETY: the caller passes `len` readable items that live for the call (header); the size
    // in bytes fits an `isize`, as `from_raw_parts` requires.
    #[allow(unsafe_code)]
    let items = unsafe { std::slice::from_raw_parts(ptr, len) };
    Ok(items)
}

/// A NUL-terminated UTF-8 argument that may be NULL (no value).
pub(crate) fn optional_text_in<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    text_in(ptr, name).map(Some)
}

/// An optional `int64_t` argument passed by pointer: NULL for no value.
pub(crate) fn optional_i64_in(ptr: *const i64) -> Option<i64> {
    // SAFETY: NULL or a pointer to one readable, aligned int64_t the caller owns (header);
    // `read_unaligned` also takes a misaligned one.
    #[allow(unsafe_code)]
    (!ptr.is_null()).then(|| unsafe { ptr.read_unaligned() })
}

/// An out-parameter, checked before any work so that a NULL one changes nothing. It keeps the
/// raw pointer (no reference into caller memory is held during the call) and is written once,
/// at the end, after every fallible step.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Writes the result (only on success: callers write last).
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL by `out`; the caller passes a writable, aligned `T` (header).
        // `write` does not read or drop what the caller's memory held before.
        #[allow(unsafe_code)]
        unsafe {
            self.0.write(value);
        }
    }

    fn addr(&self) -> usize {
        self.0 as usize
    }
}

/// Checks an out-parameter for NULL.
pub(crate) fn out<T>(ptr: *mut T, name: &str) -> Result<Out<T>, Failure> {
    if ptr.is_null() {
        return Err(Failure::invalid(format!("{name} is NULL")));
    }
    Ok(Out(ptr))
}

/// Writes `value` through an optional out-parameter; NULL means the caller does not want it.
/// Call it last, after every fallible step, like [`Out::write`].
pub(crate) fn write_if_asked<T>(ptr: *mut T, value: T) {
    if !ptr.is_null() {
        Out(ptr).write(value);
    }
}

/// Refuses two out-parameters that point at the same memory.
pub(crate) fn distinct<A, B>(a: &Out<A>, b: &Out<B>) -> Result<(), Failure> {
    if a.addr() == b.addr() {
        return Err(Failure::invalid(
            "two out-parameters point at the same memory",
        ));
    }
    Ok(())
}

/// A string the caller owns and frees with `crm_string_free`.
pub(crate) struct OwnedString;

impl Handle for OwnedString {
    type C = c_char;
    const NAME: &'static str = "crm_string";
}

/// Hands a string to the caller (freed with `crm_string_free`).
pub(crate) fn string_out(value: String) -> *mut c_char {
    let raw = c_string(value).into_raw();
    with_live(|live| {
        live.insert(
            key(raw as usize),
            (TypeId::of::<OwnedString>(), Ownership::Owned),
        )
    });
    raw
}

/// Frees a string made by [`string_out`].
pub(crate) fn string_free(ptr: *mut c_char) -> Result<(), Failure> {
    if ptr.is_null() {
        return Ok(());
    }
    let addr = key(ptr as usize);
    let removed = with_live(|live| match live.get(&addr) {
        Some(&(ty, Ownership::Owned)) if ty == TypeId::of::<OwnedString>() => {
            live.remove(&addr).is_some()
        }
        _ => false,
    });
    if !removed {
        return Err(Failure::invalid(
            "crm_string_free: not a string from this library, or freed twice",
        ));
    }
    // SAFETY: made by `CString::into_raw` in `string_out`, now unregistered.
    #[allow(unsafe_code)]
    drop(unsafe { CString::from_raw(ptr) });
    Ok(())
}

/// A C string of `value`. Stored text never holds NUL (validation refuses control
/// characters); if one slipped in, it is replaced rather than cutting the string short.
pub(crate) fn c_string(value: String) -> CString {
    CString::new(value).unwrap_or_else(|err| {
        let text = String::from_utf8_lossy(&err.into_vec()).replace('\0', "\u{fffd}");
        CString::new(text).unwrap_or_default()
    })
}

/// An optional C string of an optional value.
pub(crate) fn c_opt(value: Option<&str>) -> Option<CString> {
    value.map(|v| c_string(v.to_owned()))
}

/// The pointer of an optional borrowed C string (NULL for none).
pub(crate) fn c_ptr(value: Option<&CString>) -> *const c_char {
    value.map_or(std::ptr::null(), |s| s.as_ptr())
}

thread_local! {
    /// The last failure of a call on this thread: message and field.
    static LAST_ERROR: RefCell<(CString, Option<CString>)> = RefCell::new((CString::default(), None));
    /// Set while this thread runs a `crm_db_reindex` progress callback.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Records `failure` as this thread's last error. During thread teardown, when the thread's
/// storage is gone, the error is dropped rather than aborting the process.
pub(crate) fn set_last_error(failure: &Failure) {
    let message = c_string(failure.message());
    let field = c_opt(failure.field());
    let _ = LAST_ERROR.try_with(|last| *last.borrow_mut() = (message, field));
}

fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|last| *last.borrow_mut() = (CString::default(), None));
}

/// This thread's last error message (empty after a success, and during thread teardown).
pub(crate) fn last_error_message() -> *const c_char {
    LAST_ERROR
        .try_with(|last| last.borrow().0.as_ptr())
        .unwrap_or(c"".as_ptr())
}

/// The field of this thread's last validation error, or NULL.
pub(crate) fn last_error_field() -> *const c_char {
    LAST_ERROR
        .try_with(|last| c_ptr(last.borrow().1.as_ref()))
        .unwrap_or(std::ptr::null())
}

/// Runs `f` (a progress callback) with calls into the library refused on this thread: the
/// index is held by the rebuild, so a call would deadlock or see a half-built index.
pub(crate) fn in_callback<R>(f: impl FnOnce() -> R) -> R {
    let _ = IN_CALLBACK.try_with(|flag| flag.set(true));
    let outcome = f();
    let _ = IN_CALLBACK.try_with(|flag| flag.set(false));
    outcome
}

/// The panic boundary of a status-returning export: runs `work`, records its failure (or a
/// panic) as the last error and returns the status. Panic payloads are not passed on: they may
/// hold values (personal data); the message says a panic happened.
pub(crate) fn call(work: impl FnOnce() -> Result<(), Failure>) -> crm_status {
    if IN_CALLBACK.try_with(Cell::get).unwrap_or(false) {
        let failure = Failure::invalid("called from a crm_db_reindex progress callback");
        set_last_error(&failure);
        return failure.status();
    }
    let outcome = catch_unwind(AssertUnwindSafe(work)).unwrap_or(Err(Failure::Panic));
    match outcome {
        Ok(()) => {
            clear_last_error();
            crm_status::CRM_OK
        }
        Err(failure) => {
            set_last_error(&failure);
            failure.status()
        }
    }
}

/// The panic boundary of an export that returns a value (a getter): `fallback` on a bad
/// argument or a panic, with the last error set.
pub(crate) fn value<T>(fallback: T, work: impl FnOnce() -> Result<T, Failure>) -> T {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(Ok(value)) => {
            clear_last_error();
            value
        }
        Ok(Err(failure)) => {
            set_last_error(&failure);
            fallback
        }
        Err(_) => {
            set_last_error(&Failure::Panic);
            fallback
        }
    }
}

/// The text fields of a record as C strings, addressed by their constants: one family of
/// constants per record type, numbered from its own base (`CRM_FIELD_*` from 201,
/// `CRM_BOOKING_*` from 401...), so that a constant of another family is refused.
#[derive(Debug, Clone)]
pub(crate) struct Texts {
    base: u32,
    values: Vec<Option<CString>>,
}

impl Texts {
    /// `count` fields, numbered `base + 1` to `base + count`, all empty.
    pub(crate) fn new(base: u32, count: usize) -> Self {
        Self {
            base,
            values: vec![None; count],
        }
    }

    fn slot(&self, field: u32) -> Option<usize> {
        let index = usize::try_from(field.checked_sub(self.base + 1)?).ok()?;
        (index < self.values.len()).then_some(index)
    }

    /// Sets field `field` (one of the family's constants).
    pub(crate) fn set(&mut self, field: u32, value: Option<CString>) {
        if let Some(i) = self.slot(field) {
            self.values[i] = value;
        }
    }

    /// The C string of field `field` (NULL when empty), or an invalid-argument failure for a
    /// constant that is not of this family.
    pub(crate) fn get(&self, field: u32, family: &str) -> Result<*const c_char, Failure> {
        let i = self
            .slot(field)
            .ok_or_else(|| Failure::invalid(format!("field: {field} is not a {family}")))?;
        Ok(c_ptr(self.values[i].as_ref()))
    }
}

/// The core's value named by `number` in a table of the C face (its constants and the core's
/// names for them); a number not in the table, or one the core's type does not take, is an
/// invalid argument (`unknown` says which).
pub(crate) fn named<T: std::str::FromStr<Err = crm_core::Error>>(
    table: &[(u32, &str)],
    number: u32,
    unknown: impl FnOnce() -> String,
) -> Result<T, Failure> {
    let (_, name) = table
        .iter()
        .find(|(n, _)| *n == number)
        .ok_or_else(|| Failure::invalid(unknown()))?;
    name.parse()
        .map_err(|e: crm_core::Error| Failure::invalid(e.to_string()))
}

/// The header's `#define CRM_<FAMILY>_<NAME> <number>` lines: the tests check each table of
/// names against them and against the core's lists.
#[cfg(test)]
pub(crate) fn header_defines() -> std::collections::HashMap<String, u32> {
    include_str!("../../include/crm.h")
        .lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .filter_map(|l| {
            let (name, value) = l.split_once(' ')?;
            Some((name.to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Probe(u32);

    impl Handle for Probe {
        type C = u8;
        const NAME: &'static str = "probe";
    }

    struct Other;

    impl Handle for Other {
        type C = u8;
        const NAME: &'static str = "other";
    }

    #[test]
    fn a_handle_is_readable_until_freed_and_freed_once() {
        let ptr = into_raw(Probe(7));
        assert_eq!(get::<Probe>(ptr, "p").map(|p| p.0).ok(), Some(7));
        assert!(get::<Other>(ptr, "p").is_err(), "another type is refused");
        assert!(free::<Other>(ptr).is_err(), "and cannot free it");
        assert!(free::<Probe>(ptr).is_ok());
        assert!(get::<Probe>(ptr, "p").is_err());
        assert!(free::<Probe>(ptr).is_err(), "a second free is refused");
        assert!(free::<Probe>(std::ptr::null_mut()).is_ok());
    }

    #[test]
    fn lent_items_are_readable_not_freeable_and_forgotten_with_their_owner() {
        let items = vec![Probe(1), Probe(2)];
        lend(&items);
        let second = item_ptr(&items, 1);
        assert_eq!(get::<Probe>(second, "p").map(|p| p.0).ok(), Some(2));
        assert!(get_mut::<Probe>(second.cast_mut(), "p").is_err());
        assert!(free::<Probe>(second.cast_mut()).is_err());
        assert!(item_ptr(&items, 2).is_null());
        unlend(&items);
        assert!(get::<Probe>(second, "p").is_err());
    }

    #[test]
    fn texts_refuse_constants_of_another_family() {
        let mut texts = Texts::new(200, 3);
        texts.set(201, Some(c_string("first".into())));
        assert!(!texts.get(201, "f").unwrap().is_null());
        assert!(texts.get(202, "f").unwrap().is_null(), "empty field");
        for wrong in [0, 200, 204, 401, u32::MAX] {
            assert!(texts.get(wrong, "f").is_err(), "{wrong}");
        }
    }

    #[test]
    fn out_parameters_are_written_only_when_asked() {
        let mut slot = 5_u32;
        let out = out(&raw mut slot, "slot").unwrap();
        let other = super::out(&raw mut slot, "slot").unwrap();
        assert!(distinct(&out, &other).is_err());
        out.write(9);
        assert_eq!(slot, 9);
        assert!(super::out::<u32>(std::ptr::null_mut(), "slot").is_err());
    }
}
