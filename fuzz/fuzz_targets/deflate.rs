//! The permessage-deflate path: a connection with compression on, either
//! role, its compressed events inflated by a Decompressor with a small limit.
//! Arbitrary deflate streams must never panic or exceed the limit, errors
//! carry wire-valid close codes, and what we compress always inflates back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::extensions::deflate::{Compressor, Decompressor, DeflateConfig, DeflateParams};
use wsframe::{Config, Connection, DataKind, Event, Role};

const LIMIT: usize = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, bytes)) = data.split_first() else { return };
    let role = if ctl & 1 == 0 { Role::Server } else { Role::Client };
    let params = DeflateParams::default_params();
    let config = DeflateConfig::default().with_level(ctl >> 4);

    // Round trip: whatever we compress inflates to the same bytes.
    let mut comp = Compressor::new(role, &params, &config);
    let mut back = Decompressor::new(role, &params, usize::MAX);
    let z = comp.compress(bytes).to_vec();
    let (_, plain) = back.decompress(DataKind::Binary, &z, true).expect("own output inflates").expect("whole");
    assert_eq!(plain, bytes);

    // Arbitrary input through the connection and the decompressor.
    let mut conn = Connection::new(role, Config::default().with_compression(true), |b: &mut [u8]| b.fill(7));
    let mut decomp = Decompressor::new(role, &params, LIMIT);
    let mut buf = bytes.to_vec();
    let mut off = 0;
    while off < buf.len() {
        match conn.receive(&mut buf[off..]) {
            Err(e) => {
                assert!(e.close_code().is_some_and(|c| c.is_valid()));
                return;
            }
            Ok(r) => {
                off += r.consumed;
                match r.event {
                    None => return,
                    Some(Event::Compressed { kind, data, last }) => match decomp.decompress(kind, data, last) {
                        Ok(Some((_, msg))) => assert!(msg.len() <= LIMIT),
                        Ok(None) => {}
                        Err(e) => {
                            let e = match e {
                                wsframe::Error::Protocol(p) => conn.fail(p),
                                other => other,
                            };
                            assert!(e.close_code().is_some_and(|c| c.is_valid()));
                            return;
                        }
                    },
                    Some(_) => {}
                }
            }
        }
    }
});
