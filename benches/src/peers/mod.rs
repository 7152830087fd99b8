//! One module per implementation; each builds [`crate::harness::Case`]s for
//! the workloads it can do.

pub mod cabi;
pub mod embedded;
pub mod fastws;
pub mod floor;
pub mod memcpy;
pub mod tungstenite;
pub mod wsframe;
pub mod wslay;
