//! What every part of the mock leans on and none of it is about Kustomer: seeded ids, the
//! virtual clock, bounded rings and small JSON helpers.

pub mod byte_ring;
pub mod clock;
pub mod ids;
pub mod json_object;
pub mod nullable;
pub mod ring;
