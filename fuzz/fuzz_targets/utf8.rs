//! The incremental validator agrees with core::str::from_utf8 for any split,
//! and fails at the first byte where no valid continuation exists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::utf8::Utf8Validator;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let split = usize::from(split).min(bytes.len());
    let expect = core::str::from_utf8(bytes);
    let mut v = Utf8Validator::new();
    let got = v.feed(&bytes[..split]).and_then(|()| v.feed(&bytes[split..])).and_then(|()| v.finish());
    assert_eq!(got.is_ok(), expect.is_ok());
    // Byte by byte: the first failing byte is where the prefix became invalid.
    let mut v = Utf8Validator::new();
    for (i, b) in bytes.iter().enumerate() {
        if v.feed(core::slice::from_ref(b)).is_err() {
            let e = core::str::from_utf8(&bytes[..=i]).expect_err("prefix is invalid");
            assert!(e.error_len().is_some());
            return;
        }
    }
});
