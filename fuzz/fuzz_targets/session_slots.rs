//! `Session::input_slot` and `Session::input_room` against `Session::receive`
//! alone: the same bytes in the same reads, one session copying each read
//! into a slot whenever it is offered one for all of it, another taking each
//! read in the pieces `input_room` asks for (splitting always). All must
//! deliver the same messages and errors, queue the same replies and end in
//! the same state; a slot never reaches past its frame's payload or the
//! message limit, and a piece is never empty or longer than asked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::session::{InputRoom, Message, Session, SessionConfig};
use wsframe::{Error, NoRandom};

/// What one session made of the input, owned so the two can be compared.
#[derive(Debug, PartialEq)]
enum Got {
    Text(String),
    Binary(Vec<u8>),
    Other(String),
    Failed(Error),
}

fn drain(s: &mut Session<NoRandom>, pending: &mut Vec<u8>, got: &mut Vec<Got>) -> bool {
    let mut pos = 0;
    loop {
        let rest = pending.len() - pos;
        match s.receive(&mut pending[pos..]) {
            Err(e) => {
                got.push(Got::Failed(e));
                return false;
            }
            Ok(r) => {
                assert!(r.consumed <= rest);
                pos += r.consumed;
                match r.message {
                    None => break,
                    Some(Message::Text(t)) => got.push(Got::Text(t.into())),
                    Some(Message::Binary(b)) => got.push(Got::Binary(b.to_vec())),
                    Some(m) => got.push(Got::Other(format!("{m:?}"))),
                }
            }
        }
    }
    pending.drain(..pos);
    true
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, wire)) = data.split_first() else { return };
    // Read sizes from 1 to 8 KiB, varying along the input.
    let base = usize::from(ctl).max(1) * 32;
    let mut config = SessionConfig::default();
    config.limits = config.limits.with_max_message_size(1 << 15);
    let (mut plain, mut slotted) = (Session::server(config), Session::server(config));
    let mut roomed = Session::server(config.with_split_reads_from(0));
    let (mut p_pending, mut s_pending, mut r_pending) = (Vec::new(), Vec::new(), Vec::new());
    let (mut p_got, mut s_got, mut r_got) = (Vec::new(), Vec::new(), Vec::new());
    let (mut p_live, mut s_live, mut r_live) = (true, true, true);
    let (mut at, mut i) = (0, 0usize);
    while at < wire.len() && (p_live || s_live || r_live) {
        let n = (base >> (i % 6)).max(1).min(wire.len() - at);
        let read = &wire[at..at + n];
        (at, i) = (at + n, i + 1);
        if p_live {
            p_pending.extend_from_slice(read);
            p_live = drain(&mut plain, &mut p_pending, &mut p_got);
        }
        if s_live {
            let slot = if s_pending.is_empty() { slotted.input_slot(n) } else { None };
            match slot {
                Some(slot) => slot.copy_from_slice(read),
                None => s_pending.extend_from_slice(read),
            }
            s_live = drain(&mut slotted, &mut s_pending, &mut s_got);
        }
        let mut rest = read;
        while r_live && !rest.is_empty() {
            let k = match r_pending.is_empty().then(|| roomed.input_room(rest.len())) {
                Some(InputRoom::Slot(slot)) => {
                    assert!(!slot.is_empty() && slot.len() <= rest.len());
                    slot.copy_from_slice(&rest[..slot.len()]);
                    slot.len()
                }
                Some(InputRoom::Input(k)) => {
                    assert!(k > 0 && k <= rest.len());
                    r_pending.extend_from_slice(&rest[..k]);
                    k
                }
                None => {
                    r_pending.extend_from_slice(rest);
                    rest.len()
                }
            };
            rest = &rest[k..];
            r_live = drain(&mut roomed, &mut r_pending, &mut r_got);
        }
    }
    assert_eq!(p_got, s_got);
    assert_eq!(p_got, r_got);
    assert_eq!(plain.state(), slotted.state());
    assert_eq!(plain.state(), roomed.state());
    assert_eq!(plain.outgoing(), slotted.outgoing());
    assert_eq!(plain.outgoing(), roomed.outgoing());
});
