//! The subscription hub: reads committed events once per instance and hands them to this
//! instance's subscribers (`graphql::subscription`).

use tokio::sync::Notify;

/// This instance's feed of events for subscribers.
#[derive(Debug, Default)]
pub struct Hub {
    wake: Notify,
}

impl Hub {
    /// Events were committed here: read them now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }
}
