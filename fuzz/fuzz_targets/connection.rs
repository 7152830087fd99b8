//! A whole connection, either role, fed arbitrary bytes in arbitrary splits
//! through a small buffer the way a socket loop would. It must never panic,
//! never report consuming more than it was given, and every error must
//! carry a close code that is valid on the wire.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::message::MessageAssembler;
use wsframe::{Config, Connection, Event, Role};

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, bytes)) = data.split_first() else { return };
    let role = if ctl & 1 == 0 { Role::Server } else { Role::Client };
    let step = usize::from(ctl >> 1).max(1);
    let config = Config::default().with_max_message_size(1 << 16).with_max_fragments(64);
    let mut conn = Connection::new(role, config, |b: &mut [u8]| b.fill(0x42));
    let mut asm = MessageAssembler::new(1 << 16);
    let mut buf = [0u8; 256];
    let mut filled = 0;
    let mut pos = 0;
    let mut out = [0u8; 160];
    loop {
        let take = step.min(buf.len() - filled).min(bytes.len() - pos);
        buf[filled..filled + take].copy_from_slice(&bytes[pos..pos + take]);
        filled += take;
        pos += take;
        let mut off = 0;
        loop {
            match conn.receive(&mut buf[off..filled]) {
                Err(e) => {
                    let code = e.close_code().expect("receive errors are protocol errors");
                    assert!(code.is_valid());
                    let _ = conn.send_close(Some(code), "", &mut out);
                    return;
                }
                Ok(r) => {
                    assert!(r.consumed <= filled - off);
                    off += r.consumed;
                    match r.event {
                        None => break,
                        Some(Event::Ping(p)) => {
                            assert!(p.len() <= 125);
                            conn.send_pong(p, &mut out).expect("a pong always fits");
                        }
                        Some(Event::Close(c)) => {
                            let _ = conn.send_close(c.map(|c| c.code), "", &mut out);
                        }
                        Some(ev) => {
                            if let Ok(Some((_, msg))) = asm.push_event(&ev) {
                                assert!(msg.len() <= 1 << 16);
                            }
                        }
                    }
                }
            }
        }
        buf.copy_within(off..filled, 0);
        filled -= off;
        if pos == bytes.len() && take == 0 {
            return;
        }
    }
});
