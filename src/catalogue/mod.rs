//! The catalogue: every variant of every primitive, with its scenario and
//! what each checker is expected to make of it.
//!
//! This is the one list. Each primitive's folder keeps its own rows (its
//! `entries.rs`); this module only strings them together. Tests, the command
//! line, the fuzz targets and the docs read it; none keeps a second list.
//! Adding a primitive adds one line here.
//!
//! ```
//! use synclab::catalogue;
//!
//! let relaxed = catalogue::find("lock-relaxed").unwrap();
//! assert!(relaxed.is_broken());
//! assert!(catalogue::entries().any(|entry| entry.id == "queue-correct"));
//! ```

pub mod fuzz;

use crate::lab::entry::Entry;

/// Every primitive's rows, in the order the lab lists them.
pub static CATALOGUE: &[&[Entry]] = &[
    crate::counter::entries::ENTRIES,
    crate::lock::entries::ENTRIES,
    crate::semaphore::entries::ENTRIES,
    crate::event::entries::ENTRIES,
    crate::condition::entries::ENTRIES,
    crate::queue::entries::ENTRIES,
    crate::pool::entries::ENTRIES,
    crate::litmus::entries::ENTRIES,
];

/// Every entry of the catalogue, in order (correct variants first within
/// each primitive).
pub fn entries() -> impl Iterator<Item = &'static Entry> + Clone {
    CATALOGUE.iter().flat_map(|rows| rows.iter())
}

/// The entry with this id, e.g. `"lock-relaxed"`.
pub fn find(id: &str) -> Option<&'static Entry> {
    entries().find(|entry| entry.id == id)
}
