//! A bounded, sequence-numbered ring: the event log and the journal keep their newest
//! entries in one, and count what fell off the end so the loss is visible.

use std::collections::VecDeque;

/// Entries numbered from 1 upwards; the oldest are dropped past `capacity`.
#[derive(Debug)]
pub struct Ring<T> {
    items: VecDeque<T>,
    capacity: usize,
    /// Sequence number of `items[0]`.
    first_seq: u64,
    dropped: u64,
}

impl<T> Ring<T> {
    /// An empty ring holding at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        Ring {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            first_seq: 1,
            dropped: 0,
        }
    }

    /// Appends an entry and returns its sequence number.
    pub fn push(&mut self, item: T) -> u64 {
        if self.items.len() == self.capacity {
            self.items.pop_front();
            self.first_seq += 1;
            self.dropped += 1;
        }
        self.items.push_back(item);
        self.first_seq + self.items.len() as u64 - 1
    }

    /// Appends an entry; returns its sequence number and the entry that fell off, so a
    /// caller holding a lock can drop that one after releasing it.
    pub fn push_evicting(&mut self, item: T) -> (u64, Option<T>) {
        let evicted = if self.items.len() == self.capacity {
            self.first_seq += 1;
            self.dropped += 1;
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(item);
        (self.first_seq + self.items.len() as u64 - 1, evicted)
    }

    /// The sequence number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.items.len() as u64
    }

    /// The sequence number of the oldest entry still held.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// How many entries fell off the end.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Whether nothing is held.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The entry with sequence number `seq`, if still held.
    pub fn get(&self, seq: u64) -> Option<&T> {
        if seq < self.first_seq {
            return None;
        }
        self.items.get((seq - self.first_seq) as usize)
    }

    /// The entry with sequence number `seq`, if still held, to change in place.
    pub fn get_mut(&mut self, seq: u64) -> Option<&mut T> {
        if seq < self.first_seq {
            return None;
        }
        self.items.get_mut((seq - self.first_seq) as usize)
    }

    /// Entries with their sequence numbers, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &T)> {
        let first = self.first_seq;
        self.items
            .iter()
            .enumerate()
            .map(move |(i, item)| (first + i as u64, item))
    }

    /// Forgets every entry; numbering continues.
    pub fn clear(&mut self) {
        self.first_seq = self.next_seq();
        self.items.clear();
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_oldest_and_counts() {
        let mut ring = Ring::new(2);
        assert_eq!(ring.push("a"), 1);
        assert_eq!(ring.push("b"), 2);
        assert_eq!(ring.push("c"), 3);
        assert_eq!(ring.dropped(), 1);
        assert_eq!(ring.first_seq(), 2);
        assert_eq!(ring.get(1), None);
        assert_eq!(ring.get(3), Some(&"c"));
        assert_eq!(ring.next_seq(), 4);
        let seqs: Vec<u64> = ring.iter().map(|(s, _)| s).collect();
        assert_eq!(seqs, vec![2, 3]);
        ring.clear();
        assert!(ring.is_empty());
        assert_eq!(ring.push("d"), 4);
    }
}
