//! The header decoder on arbitrary bytes in arbitrary splits: it must never
//! panic, must consume exactly what it claims, and a split must not change
//! the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::frame::HeaderDecoder;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let whole = HeaderDecoder::new().decode(bytes);
    let split = usize::from(split).min(bytes.len());
    let mut dec = HeaderDecoder::new();
    let first = dec.decode(&bytes[..split]);
    let pieces = match first {
        Err(e) => Err(e),
        Ok((n, Some(h))) => Ok((n, Some(h))),
        Ok((n, None)) => {
            assert_eq!(n, split, "a partial header consumes all it is given");
            dec.decode(&bytes[split..]).map(|(m, h)| (n + m, h))
        }
    };
    assert_eq!(whole, pieces);
    if let Ok((n, Some(h))) = whole {
        assert!(n <= bytes.len());
        // Minimal re-encoding never exceeds what the peer used, and decodes the same.
        let mut out = [0u8; 14];
        let m = h.encode(&mut out).expect("a decoded header re-encodes");
        assert!(m <= n && m == h.encoded_len());
        assert_eq!(HeaderDecoder::new().decode(&out[..m]), Ok((m, Some(h))));
    }
});
