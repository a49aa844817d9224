//! Pure rules of the product, shared by the server and the browser.
pub mod audit;
pub mod billing;
pub mod dependencies;
pub mod input;
pub mod lifecycle;
pub mod live;
pub mod name;
pub mod permission;
pub mod retention;
pub mod text;
pub mod throttle;
pub mod time;

pub use name::{Confirmation, NameError, WorkspaceName};
pub use permission::{Capability, Policy, Principal, Viewer};

/// Unix seconds, UTC.
pub type Timestamp = i64;
