//! A bounded, sequence-numbered ring of byte records in one buffer, capped both by count
//! and by bytes.
//!
//! The journal keeps the last 10,000 exchanges. Held as heap objects (a box, strings,
//! header lists and the response body each), every request allocated memory that stayed
//! for 10,000 requests and was freed by whichever thread pushed the entry that evicted
//! it: the allocator's pages filled with long-lived entries interleaved with the request
//! path's short-lived objects, and one list page (~110 KB) times 10,000 could hold a
//! gigabyte. Here an entry is written once, sequentially, into a buffer that wraps, and
//! evicting it is moving an index: no allocation, no free, and a hard bound on bytes.
//!
//! Records are addressed by logical offsets that only grow; a record's bytes live at
//! `start % max_bytes`. A record that would straddle the end of the buffer starts at the
//! next multiple of `max_bytes` instead (the tail is left unused), so every record is
//! one contiguous slice.

use std::collections::VecDeque;

/// The buffer grows by doubling from this size up to the byte cap, so a server that
/// journals little never holds the whole budget.
const INITIAL_BYTES: usize = 64 * 1024;

#[derive(Debug)]
struct Slot<M> {
    start: u64,
    len: u32,
    meta: M,
}

/// Records numbered from 1 upwards, each a byte slice plus a typed `M` kept beside it;
/// the oldest are dropped past `max_entries` records or `max_bytes` bytes.
#[derive(Debug)]
pub struct ByteRing<M> {
    buf: Vec<u8>,
    slots: VecDeque<Slot<M>>,
    max_entries: usize,
    max_bytes: usize,
    /// Logical offset where the next record may start.
    next_start: u64,
    /// Sequence number of `slots[0]`.
    first_seq: u64,
    dropped: u64,
}

/// A record too large for the ring's byte cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl<M> ByteRing<M> {
    /// An empty ring of at most `max_entries` records (at least 1) and `max_bytes` bytes
    /// (at least 1).
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        ByteRing {
            buf: Vec::new(),
            slots: VecDeque::new(),
            max_entries: max_entries.max(1),
            max_bytes: max_bytes.max(1),
            next_start: 0,
            first_seq: 1,
            dropped: 0,
        }
    }

    /// The largest record the ring takes.
    pub fn max_record(&self) -> usize {
        self.max_bytes.min(u32::MAX as usize)
    }

    /// Appends a record of exactly `len` bytes, which `write` fills, with `meta` beside
    /// it; returns its sequence number. Drops the oldest records to make room.
    pub fn push_with(
        &mut self,
        len: usize,
        meta: M,
        write: impl FnOnce(&mut [u8]),
    ) -> Result<u64, TooLarge> {
        if len > self.max_record() {
            return Err(TooLarge);
        }
        let cap = self.max_bytes as u64;
        let mut start = self.next_start;
        let offset = (start % cap) as usize;
        if offset + len > self.max_bytes {
            start += cap - offset as u64;
        }
        let end = start + len as u64;
        while let Some(front) = self.slots.front() {
            let overwritten = front.start + cap < end;
            if !overwritten && self.slots.len() < self.max_entries {
                break;
            }
            self.slots.pop_front();
            self.first_seq += 1;
            self.dropped += 1;
        }
        let at = (start % cap) as usize;
        if self.buf.len() < at + len {
            let grown = (self.buf.len() * 2)
                .max(INITIAL_BYTES)
                .max(at + len)
                .min(self.max_bytes);
            self.buf.resize(grown, 0);
        }
        write(&mut self.buf[at..at + len]);
        self.slots.push_back(Slot {
            start,
            len: len as u32,
            meta,
        });
        self.next_start = end;
        Ok(self.first_seq + self.slots.len() as u64 - 1)
    }

    /// How many records fell off the end.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Records with their sequence numbers, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &[u8], &M)> {
        let first = self.first_seq;
        let cap = self.max_bytes as u64;
        self.slots.iter().enumerate().map(move |(i, slot)| {
            let at = (slot.start % cap) as usize;
            (
                first + i as u64,
                &self.buf[at..at + slot.len as usize],
                &slot.meta,
            )
        })
    }

    /// Forgets every record; numbering continues. The buffer is kept for reuse.
    pub fn clear(&mut self) {
        self.first_seq += self.slots.len() as u64;
        self.slots.clear();
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(ring: &mut ByteRing<char>, text: &str, meta: char) -> Result<u64, TooLarge> {
        ring.push_with(text.len(), meta, |dst| dst.copy_from_slice(text.as_bytes()))
    }

    fn held(ring: &ByteRing<char>) -> Vec<(u64, String, char)> {
        ring.iter()
            .map(|(seq, bytes, meta)| (seq, String::from_utf8(bytes.to_vec()).unwrap(), *meta))
            .collect()
    }

    #[test]
    fn drops_the_oldest_past_the_count() {
        let mut ring = ByteRing::new(2, 1024);
        assert_eq!(push(&mut ring, "aa", 'a'), Ok(1));
        assert_eq!(push(&mut ring, "bb", 'b'), Ok(2));
        assert_eq!(push(&mut ring, "cc", 'c'), Ok(3));
        assert_eq!(ring.dropped(), 1);
        assert_eq!(
            held(&ring),
            vec![(2, "bb".into(), 'b'), (3, "cc".into(), 'c')]
        );
    }

    #[test]
    fn drops_the_oldest_past_the_bytes_and_wraps_whole_records() {
        let mut ring = ByteRing::new(100, 10);
        push(&mut ring, "1111", '1').unwrap();
        push(&mut ring, "2222", '2').unwrap();
        // 8 bytes used; 4 more do not fit before the end: the record starts over at 0,
        // where "1111" was.
        push(&mut ring, "3333", '3').unwrap();
        assert_eq!(
            held(&ring),
            vec![(2, "2222".into(), '2'), (3, "3333".into(), '3')]
        );
        // Now at 4..8, where "2222" was.
        push(&mut ring, "44", '4').unwrap();
        assert_eq!(
            held(&ring),
            vec![(3, "3333".into(), '3'), (4, "44".into(), '4')]
        );
        push(&mut ring, "55", '5').unwrap();
        // At 8 three bytes do not fit: over at 0..3, where "3333" was; "44" at 4..6 stays.
        push(&mut ring, "666", '6').unwrap();
        assert_eq!(
            held(&ring),
            vec![
                (4, "44".into(), '4'),
                (5, "55".into(), '5'),
                (6, "666".into(), '6')
            ]
        );
        assert_eq!(ring.dropped(), 3);
    }

    #[test]
    fn a_record_larger_than_the_bytes_is_refused_and_nothing_is_dropped() {
        let mut ring = ByteRing::new(10, 4);
        push(&mut ring, "ab", 'a').unwrap();
        assert_eq!(push(&mut ring, "abcde", 'x'), Err(TooLarge));
        assert_eq!(held(&ring), vec![(1, "ab".into(), 'a')]);
        assert_eq!(push(&mut ring, "wxyz", 'w'), Ok(2));
        assert_eq!(held(&ring), vec![(2, "wxyz".into(), 'w')]);
    }

    #[test]
    fn clear_keeps_numbering_and_empty_records_take_no_room() {
        let mut ring = ByteRing::new(10, 4);
        push(&mut ring, "ab", 'a').unwrap();
        ring.clear();
        assert!(ring.is_empty());
        assert_eq!(push(&mut ring, "", 'e'), Ok(2));
        assert_eq!(push(&mut ring, "", 'f'), Ok(3));
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.dropped(), 0);
    }

    #[test]
    fn survives_many_wraps_with_every_held_record_intact() {
        let mut ring = ByteRing::new(7, 100);
        for i in 0..1000u32 {
            let text = format!("{i}-{}", "x".repeat((i % 13) as usize));
            push(&mut ring, &text, 'r').unwrap();
            let total: usize = ring.iter().map(|(_, b, _)| b.len()).sum();
            assert!(total <= 100 && ring.len() <= 7);
            let (last_seq, last, _) = held(&ring).pop().unwrap();
            assert_eq!((last_seq, last), (u64::from(i) + 1, text));
            for (seq, bytes, _) in held(&ring) {
                let n = seq - 1;
                assert!(bytes.starts_with(&format!("{n}-")), "{seq}: {bytes}");
                assert_eq!(bytes.len(), format!("{n}-").len() + (n % 13) as usize);
            }
        }
    }
}
