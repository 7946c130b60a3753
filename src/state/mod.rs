//! State: each thing that happened is told once, and a job's transitions in order. The core of it
//! is pure (`plan`: what an event asks of the store; `item`: the one rule that decides a claim);
//! `port` is what the gate needs from a table, `memory` a store for `preview` and tests, and
//! `gate` the steps around a publish. The DynamoDB store is at the edge, in `store/`.

pub mod gate;
pub mod item;
pub mod memory;
pub mod plan;
pub mod port;

pub use gate::{Admitted, Clock, Gate, Refusal, Ticket, admit, settle};
pub use item::{Ask, Claim, Item, Lost, Progress, judge};
pub use memory::MemoryStore;
pub use plan::{Plan, Transition, plan};
pub use port::{Claimed, StateError, StateStore};
