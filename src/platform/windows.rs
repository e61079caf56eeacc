//! The Windows calls that need FFI: the DHCP client API (dhcpcsvc.dll), asked for option 252
//! (WPAD by DHCP) the way WinHTTP and Chromium ask it, and the console mode that lets colours
//! show. The only file of the product where `unsafe` is allowed: the package denies `unsafe_code`
//! (Cargo.toml `[lints]`) and this file alone lifts it, each block with its `SAFETY:` reasoning.
//! Returns raw bytes; decoding is `probe::proxy::dhcp`'s. Depends on `model` only.
#![allow(unsafe_code)]

use crate::model::DhcpRead;
use windows_sys::Win32::NetworkManagement::Dhcp::{
    DHCPAPI_PARAMS, DHCPCAPI_CLASSID, DHCPCAPI_PARAMS_ARRAY, DHCPCAPI_REQUEST_SYNCHRONOUS,
};
use windows_sys::Win32::System::LibraryLoader::{
    GetProcAddress, LOAD_LIBRARY_SEARCH_SYSTEM32, LoadLibraryExW,
};
use windows_sys::core::PCWSTR;

/// Option 252: the PAC URL (WPAD).
const OPTION_WPAD: u32 = 252;
/// `ERROR_MORE_DATA` (winerror.h): the buffer was too small; the size needed is set.
const ERROR_MORE_DATA: u32 = 234;
/// The API's buffer: 4 KiB as Chromium starts with, grown to at most 64 KiB.
const FIRST_BUFFER: u32 = 4096;
const MAX_BUFFER: u32 = 64 * 1024;

type Initialize = unsafe extern "system" fn(*mut u32) -> u32;
type Cleanup = unsafe extern "system" fn();
type RequestParams = unsafe extern "system" fn(
    u32,
    *mut core::ffi::c_void,
    PCWSTR,
    *mut DHCPCAPI_CLASSID,
    DHCPCAPI_PARAMS_ARRAY,
    DHCPCAPI_PARAMS_ARRAY,
    *mut u8,
    *mut u32,
    PCWSTR,
) -> u32;

/// dhcpcsvc.dll's three functions, looked up at run time: without the DLL (or one of them) the
/// program still starts, and WPAD by DHCP is "not available" instead.
struct DhcpApi {
    initialize: Initialize,
    cleanup: Cleanup,
    request_params: RequestParams,
}

fn load() -> Result<DhcpApi, String> {
    let name: Vec<u16> = "dhcpcsvc.dll".encode_utf16().chain(Some(0)).collect();
    // SAFETY: `name` is a NUL-terminated UTF-16 string that outlives the call; the file handle
    // must be null; System32 only, so no planted DLL of that name elsewhere is loaded. The module
    // stays loaded for the life of the process (never freed), so the pointers below stay valid.
    let module = unsafe {
        LoadLibraryExW(
            name.as_ptr(),
            std::ptr::null_mut(),
            LOAD_LIBRARY_SEARCH_SYSTEM32,
        )
    };
    if module.is_null() {
        return Err(format!(
            "dhcpcsvc.dll cannot be loaded: {}",
            std::io::Error::last_os_error()
        ));
    }
    let find = |symbol: &[u8]| {
        // SAFETY: `module` is the loaded dhcpcsvc.dll and `symbol` a NUL-terminated ASCII name.
        unsafe { GetProcAddress(module, symbol.as_ptr()) }.ok_or_else(|| {
            let shown = String::from_utf8_lossy(&symbol[..symbol.len() - 1]).into_owned();
            format!("dhcpcsvc.dll has no {shown}")
        })
    };
    let (initialize, cleanup, request_params) = (
        find(b"DhcpCApiInitialize\0")?,
        find(b"DhcpCApiCleanup\0")?,
        find(b"DhcpRequestParams\0")?,
    );
    // SAFETY: each pointer is the export of that name, whose signature (dhcpcsdk.h, as
    // windows-sys declares it) is the type it becomes; the calling convention is `system`.
    unsafe {
        Ok(DhcpApi {
            initialize: std::mem::transmute::<unsafe extern "system" fn() -> isize, Initialize>(
                initialize,
            ),
            cleanup: std::mem::transmute::<unsafe extern "system" fn() -> isize, Cleanup>(cleanup),
            request_params: std::mem::transmute::<
                unsafe extern "system" fn() -> isize,
                RequestParams,
            >(request_params),
        })
    }
}

/// Option 252's bytes for each adapter (by its `AdapterName`, the `{GUID}`); `Unavailable` when
/// the DHCP API is missing, does not start, or answers no adapter at all (the DHCP Client
/// service stopped).
pub(super) fn dhcp_option_252(adapters: &[String]) -> DhcpRead {
    let api = match load() {
        Ok(api) => api,
        Err(e) => return DhcpRead::Unavailable(e),
    };
    let mut version = 0u32;
    // SAFETY: `version` is a valid, writable u32 for the call's duration; the API writes it.
    let status = unsafe { (api.initialize)(&mut version) };
    if status != 0 {
        return DhcpRead::Unavailable(format!("DhcpCApiInitialize failed: error {status}"));
    }
    let mut answered = Vec::new();
    let mut errors = Vec::new();
    for name in adapters {
        match request(&api, name) {
            Ok(bytes) => answered.push((name.clone(), bytes)),
            Err(code) => errors.push(format!("{name}: error {code}")),
        }
    }
    // SAFETY: paired with the successful DhcpCApiInitialize above; no request is in flight.
    unsafe { (api.cleanup)() };
    if answered.is_empty() && !errors.is_empty() {
        return DhcpRead::Unavailable(format!("DhcpRequestParams failed: {}", errors.join("; ")));
    }
    DhcpRead::Adapters(answered)
}

/// One adapter's option 252 (`None`: not in its lease), or the API's error code.
fn request(api: &DhcpApi, adapter: &str) -> Result<Option<Vec<u8>>, u32> {
    let wide: Vec<u16> = adapter.encode_utf16().chain(Some(0)).collect();
    let mut size = FIRST_BUFFER;
    for _ in 0..4 {
        let mut buffer = vec![0u8; size as usize];
        let mut param = DHCPAPI_PARAMS {
            Flags: 0,
            OptionId: OPTION_WPAD,
            // Not a vendor option (the standard option 252), as Chromium sets it.
            IsVendor: 0,
            Data: std::ptr::null_mut(),
            nBytesData: 0,
        };
        let send = DHCPCAPI_PARAMS_ARRAY {
            nParams: 0,
            Params: std::ptr::null_mut(),
        };
        let recd = DHCPCAPI_PARAMS_ARRAY {
            nParams: 1,
            Params: &mut param,
        };
        let mut len = size;
        // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the call; `param` (which
        // `recd` points to), `buffer` (`len` bytes, as `len` says) and `len` are live, writable
        // locals for the call's duration; the class id and request id may be null for a
        // synchronous request (DHCPCAPI_REQUEST_SYNCHRONOUS), and `send` has no parameters.
        let status = unsafe {
            (api.request_params)(
                DHCPCAPI_REQUEST_SYNCHRONOUS,
                std::ptr::null_mut(),
                wide.as_ptr(),
                std::ptr::null_mut(),
                send,
                recd,
                buffer.as_mut_ptr(),
                &mut len,
                std::ptr::null(),
            )
        };
        match status {
            0 => return Ok(option_bytes(&buffer, &param)),
            ERROR_MORE_DATA if len > size && len <= MAX_BUFFER => size = len,
            other => return Err(other),
        }
    }
    Err(ERROR_MORE_DATA)
}

/// The option's bytes, which the API leaves inside `buffer`: taken only when `Data` and
/// `nBytesData` lie wholly within it (anything else is treated as no option).
fn option_bytes(buffer: &[u8], param: &DHCPAPI_PARAMS) -> Option<Vec<u8>> {
    let n = param.nBytesData as usize;
    if param.Data.is_null() || n == 0 {
        return None;
    }
    let start = (param.Data as usize).checked_sub(buffer.as_ptr() as usize)?;
    let end = start.checked_add(n)?;
    // Plain index arithmetic on addresses: no pointer is dereferenced.
    buffer.get(start..end).map(<[u8]>::to_vec)
}

/// Turns on escape-sequence processing (`ENABLE_VIRTUAL_TERMINAL_PROCESSING`) for the console
/// behind stdout or stderr, so that colours show as colours in a Command Prompt or PowerShell
/// window (Windows 10 and 11 leave it off for programs that do not ask). False when that is not a
/// console or the console cannot do it: then no colour is written.
pub(super) fn enable_escape_sequences(stderr: bool) -> bool {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::System::Console::{
        ENABLE_VIRTUAL_TERMINAL_PROCESSING, GetConsoleMode, SetConsoleMode,
    };
    let handle = if stderr {
        std::io::stderr().as_raw_handle()
    } else {
        std::io::stdout().as_raw_handle()
    };
    let mut mode = 0u32;
    // SAFETY: `handle` is this process's standard handle (or null, which the call rejects), and
    // `mode` is a live, writable u32; the call only reads the handle's console mode.
    if unsafe { GetConsoleMode(handle, &mut mode) } == 0 {
        return false;
    }
    if mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
        return true;
    }
    // SAFETY: the same handle, known to be a console by the successful GetConsoleMode above; the
    // mode is the one it reported with one documented flag added.
    unsafe { SetConsoleMode(handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 }
}
