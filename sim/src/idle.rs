//! What the world knows of its hosts' next work, so that a step runs only
//! the hosts that have some.
//!
//! turmoil runs every host's runtime at every 1 ms step, and in a bulk
//! transfer most of the simulator's wall time went there: three hosts, of
//! which one or none had anything to do. The patched turmoil
//! (`vendor/turmoil`, `Sim::step_lazy`) lets a host sit a step out when the
//! caller promises it has nothing to do, and turmoil itself wakes a host a
//! message arrives for. This is the promise: a host is left alone while
//! none of its timers falls due and nothing outside its own tasks (the
//! scenario, another host) woke one of them. Every timer of the world's
//! software is made with [`Idle::sleep_until`] and every wake-up across
//! hosts goes through [`Idle::poke`]; a timer or a wake-up missed here
//! would run late, and the golden transcripts would show it.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::Duration;

/// See the module doc.
#[derive(Debug, Default)]
pub(crate) struct Idle {
    /// Steps taken.
    steps: Cell<u64>,
    /// The step during which something last woke a task from outside its
    /// host (between steps: the next one). Every host runs in that step
    /// from then on, and in the one after: a host earlier in turmoil's
    /// order than the one that woke it has had its turn already.
    poked: Cell<Option<u64>>,
    /// Pending timers: (host, when, in simulated time) → how many.
    timers: RefCell<BTreeMap<(IpAddr, Duration), usize>>,
}

/// Shared by the world and its hosts' software.
pub(crate) type IdleRef = Rc<Idle>;

impl Idle {
    /// A task was (or may have been) woken by something outside its host.
    pub(crate) fn poke(&self) {
        self.poked.set(Some(self.steps.get()));
    }

    /// Whether `host` has something to do in a step that ends at `end`:
    /// a poke since the last step, or a timer due by then.
    pub(crate) fn busy(&self, host: IpAddr, end: Duration) -> bool {
        self.poked_recently()
            || self
                .timers
                .borrow()
                .range((host, Duration::ZERO)..=(host, end))
                .next()
                .is_some()
    }

    /// Whether a poke still wakes every host in the next step.
    pub(crate) fn poked_recently(&self) -> bool {
        self.poked
            .get()
            .is_some_and(|at| at + 1 >= self.steps.get())
    }

    /// The earliest pending timer of any host.
    pub(crate) fn next_timer(&self) -> Option<Duration> {
        self.timers.borrow().keys().map(|&(_, at)| at).min()
    }

    /// A step was taken.
    pub(crate) fn stepped(&self) {
        self.steps.set(self.steps.get() + 1);
    }
}

/// A host's view of [`Idle`]: what its software tells the world. `None`
/// where no world watches (the lab's real sockets).
#[derive(Debug, Clone)]
pub(crate) struct Watch {
    pub(crate) idle: IdleRef,
    pub(crate) host: IpAddr,
}

impl Watch {
    /// A task elsewhere may have been woken (see [`Idle::poke`]).
    pub(crate) fn poke(watch: Option<&Watch>) {
        if let Some(w) = watch {
            w.idle.poke();
        }
    }

    /// `tokio::time::sleep_until`, known to the world while it waits.
    pub(crate) async fn sleep_until(watch: Option<&Watch>, at: tokio::time::Instant) {
        let _timer = watch.map(|w| Timer::new(w.idle.clone(), w.host, at));
        tokio::time::sleep_until(at).await;
    }
}

/// A timer registered while it lives (a `select!` may drop it unfired).
struct Timer {
    idle: IdleRef,
    key: (IpAddr, Duration),
}

impl Timer {
    fn new(idle: IdleRef, host: IpAddr, at: tokio::time::Instant) -> Timer {
        // The host's simulated time now, and how far ahead `at` is.
        let now = turmoil::sim_elapsed().unwrap_or_default();
        let key = (
            host,
            now + at.saturating_duration_since(tokio::time::Instant::now()),
        );
        *idle.timers.borrow_mut().entry(key).or_default() += 1;
        Timer { idle, key }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let mut timers = self.idle.timers.borrow_mut();
        if let Some(n) = timers.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                timers.remove(&self.key);
            }
        }
    }
}
