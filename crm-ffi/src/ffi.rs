//! Every pointer conversion of the crate, in one place: handles in and out, strings in and
//! out, out-parameters, the panic boundary and the per-thread last error.
//!
//! Handles are `Box`es whose addresses are kept in a registry with their Rust type. A pointer is
//! dereferenced only after the registry says it is live and of the expected type, so a handle
//! freed twice, used after `_free`, or passed as the wrong type is answered with
//! `CRM_ERR_INVALID_ARGUMENT` instead of undefined behaviour (an address reused by a later
//! allocation of the same type cannot be told apart).

use std::any::TypeId;
use std::cell::RefCell;
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

/// Live handle addresses and their Rust type.
static LIVE: Mutex<Option<HashMap<usize, (TypeId, Ownership)>>> = Mutex::new(None);

fn with_live<R>(f: impl FnOnce(&mut HashMap<usize, (TypeId, Ownership)>) -> R) -> R {
    let mut guard = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    f(guard.get_or_insert_with(HashMap::new))
}

/// Moves `value` to the heap and returns it as its opaque C type; the caller owns it.
pub(crate) fn into_raw<T: Handle>(value: T) -> *mut T::C {
    let ptr = Box::into_raw(Box::new(value));
    with_live(|live| live.insert(ptr as usize, (TypeId::of::<T>(), Ownership::Owned)));
    ptr.cast()
}

/// Registers items borrowed from an owned handle (list elements) so that they can be read.
pub(crate) fn lend<T: Handle>(items: &[T]) {
    with_live(|live| {
        for item in items {
            let addr = std::ptr::from_ref(item) as usize;
            live.insert(addr, (TypeId::of::<T>(), Ownership::Borrowed));
        }
    });
}

/// Forgets items lent by [`lend`], before their owner is dropped.
pub(crate) fn unlend<T: Handle>(items: &[T]) {
    with_live(|live| {
        for item in items {
            live.remove(&(std::ptr::from_ref(item) as usize));
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
    if ptr == 0 {
        return Err(Failure::invalid(format!("{name} is NULL")));
    }
    let entry = with_live(|live| live.get(&ptr).copied());
    match entry {
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
/// alone and the last error says so.
pub(crate) fn free<T: Handle>(ptr: *mut T::C) {
    if ptr.is_null() {
        return;
    }
    let addr = ptr as usize;
    let removed = with_live(|live| match live.get(&addr) {
        Some(&(ty, Ownership::Owned)) if ty == TypeId::of::<T>() => live.remove(&addr).is_some(),
        _ => false,
    });
    if removed {
        // SAFETY: the address was a live owned `T` from `Box::into_raw`, now unregistered.
        #[allow(unsafe_code)]
        drop(unsafe { Box::from_raw(ptr.cast::<T>()) });
    } else {
        set_last_error(&Failure::invalid(format!(
            "{}_free: not a live {} (freed twice?)",
            T::NAME,
            T::NAME
        )));
    }
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

/// An out-parameter, checked before any work so that a NULL one changes nothing.
pub(crate) struct Out<'a, T>(&'a mut T);

impl<T> Out<'_, T> {
    /// Writes the result (only on success: callers write last).
    pub(crate) fn write(self, value: T) {
        *self.0 = value;
    }
}

/// Checks an out-parameter for NULL.
pub(crate) fn out<'a, T>(ptr: *mut T, name: &str) -> Result<Out<'a, T>, Failure> {
    if ptr.is_null() {
        return Err(Failure::invalid(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL, and the caller passes a writable, aligned `T` (header).
    #[allow(unsafe_code)]
    Ok(Out(unsafe { &mut *ptr }))
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
            raw as usize,
            (TypeId::of::<OwnedString>(), Ownership::Owned),
        )
    });
    raw
}

/// Frees a string made by [`string_out`].
pub(crate) fn string_free(ptr: *mut c_char) {
    if ptr.is_null() {
        return;
    }
    let addr = ptr as usize;
    let removed = with_live(|live| match live.get(&addr) {
        Some(&(ty, Ownership::Owned)) if ty == TypeId::of::<OwnedString>() => {
            live.remove(&addr).is_some()
        }
        _ => false,
    });
    if removed {
        // SAFETY: made by `CString::into_raw` in `string_out`, now unregistered.
        #[allow(unsafe_code)]
        drop(unsafe { CString::from_raw(ptr) });
    } else {
        set_last_error(&Failure::invalid(
            "crm_string_free: not a string from this library, or freed twice",
        ));
    }
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
    /// The last failure of a status-returning call on this thread: message and field.
    static LAST_ERROR: RefCell<(CString, Option<CString>)> = RefCell::new((CString::default(), None));
}

/// Records `failure` as this thread's last error.
pub(crate) fn set_last_error(failure: &Failure) {
    let message = c_string(failure.message());
    let field = c_opt(failure.field());
    LAST_ERROR.with(|last| *last.borrow_mut() = (message, field));
}

fn clear_last_error() {
    LAST_ERROR.with(|last| *last.borrow_mut() = (CString::default(), None));
}

/// This thread's last error message (empty after a success).
pub(crate) fn last_error_message() -> *const c_char {
    LAST_ERROR.with(|last| last.borrow().0.as_ptr())
}

/// The field of this thread's last validation error, or NULL.
pub(crate) fn last_error_field() -> *const c_char {
    LAST_ERROR.with(|last| c_ptr(last.borrow().1.as_ref()))
}

/// The panic boundary of a status-returning export: runs `work`, records its failure (or a
/// panic) as the last error and returns the status.
pub(crate) fn call(work: impl FnOnce() -> Result<(), Failure>) -> crm_status {
    let outcome = catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Failure::Panic(what))
    });
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
        Ok(Ok(value)) => value,
        Ok(Err(failure)) => {
            set_last_error(&failure);
            fallback
        }
        Err(_) => {
            set_last_error(&Failure::Panic("in a getter".into()));
            fallback
        }
    }
}
