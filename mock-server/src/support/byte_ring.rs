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
//! one contiguous slice. A live record is never more than `max_bytes` behind the end of
//! the newest, which is what keeps records from overlapping.
//!
//! When the count bound binds first (10,000 small exchanges hold far less than the byte
//! budget), writing on to the end of the budget would touch all of it; instead the ring
//! starts over at the front of the buffer once it is twice as far along as what it
//! holds, so the buffer stays near twice the live bytes.

use std::collections::VecDeque;

/// The buffer grows by doubling from this size up to the byte cap, so a server that
/// journals little never holds the whole budget.
const INITIAL_BYTES: usize = 64 * 1024;

#[derive(Debug)]
struct Slot {
    start: u64,
    len: u32,
}

/// Records numbered from 1 upwards, each a byte slice; the oldest are dropped past
/// `max_entries` records or `max_bytes` bytes.
#[derive(Debug)]
pub struct ByteRing {
    buf: Vec<u8>,
    slots: VecDeque<Slot>,
    max_entries: usize,
    max_bytes: usize,
    /// Logical offset where the next record may start.
    next_start: u64,
    /// Bytes of the records held.
    live_bytes: usize,
    /// Sequence number of `slots[0]`.
    first_seq: u64,
    dropped: u64,
}

/// A record too large for the ring's byte cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl ByteRing {
    /// An empty ring of at most `max_entries` records (at least 1) and `max_bytes` bytes
    /// (at least 1).
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        ByteRing {
            buf: Vec::new(),
            slots: VecDeque::new(),
            max_entries: max_entries.max(1),
            max_bytes: max_bytes.max(1),
            next_start: 0,
            live_bytes: 0,
            first_seq: 1,
            dropped: 0,
        }
    }

    /// The largest record the ring takes.
    pub fn max_record(&self) -> usize {
        self.max_bytes.min(u32::MAX as usize)
    }

    /// Appends a record of exactly `len` bytes, which `write` fills; returns its sequence
    /// number. Drops the oldest records to make room.
    pub fn push_with(
        &mut self,
        len: usize,
        write: impl FnOnce(&mut [u8]),
    ) -> Result<u64, TooLarge> {
        if len > self.max_record() {
            return Err(TooLarge);
        }
        let cap = self.max_bytes as u64;
        let mut start = self.next_start;
        let offset = (start % cap) as usize;
        if offset + len > self.max_bytes || self.starts_over_early(start, len) {
            start += cap - offset as u64;
        }
        let end = start + len as u64;
        while let Some(front) = self.slots.front() {
            let overwritten = front.start + cap < end;
            if !overwritten && self.slots.len() < self.max_entries {
                break;
            }
            self.live_bytes -= front.len as usize;
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
            // A zeroed allocation rather than `resize`: fresh pages from the system come
            // zeroed, where `resize` would write every byte of the new half once more.
            let mut buf = vec![0u8; grown];
            buf[..self.buf.len()].copy_from_slice(&self.buf);
            self.buf = buf;
        }
        write(&mut self.buf[at..at + len]);
        self.slots.push_back(Slot {
            start,
            len: len as u32,
        });
        self.next_start = end;
        self.live_bytes += len;
        Ok(self.first_seq + self.slots.len() as u64 - 1)
    }

    /// Whether a record of `len` bytes due at `start` should go to the front of the
    /// buffer although it fits where it is: the ring is twice as far along as the bytes
    /// it holds, and every held record lies in this lap, past the first `len` bytes (so
    /// starting over drops nothing).
    fn starts_over_early(&self, start: u64, len: usize) -> bool {
        let cap = self.max_bytes as u64;
        let offset = (start % cap) as usize;
        if offset < INITIAL_BYTES.max(2 * self.live_bytes) {
            return false;
        }
        match self.slots.front() {
            None => true,
            Some(front) => front.start / cap == start / cap && (front.start % cap) as usize >= len,
        }
    }

    /// The bytes the buffer holds now (live records, gaps, and room not yet reused).
    #[cfg(test)]
    pub fn buffer_bytes(&self) -> usize {
        self.buf.len()
    }

    /// How many records fell off the end.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// How many records are held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is held.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Records with their sequence numbers, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &[u8])> {
        let first = self.first_seq;
        let cap = self.max_bytes as u64;
        self.slots.iter().enumerate().map(move |(i, slot)| {
            let at = (slot.start % cap) as usize;
            (first + i as u64, &self.buf[at..at + slot.len as usize])
        })
    }

    /// Forgets every record; numbering continues. The buffer is kept for reuse.
    pub fn clear(&mut self) {
        self.first_seq += self.slots.len() as u64;
        self.slots.clear();
        self.live_bytes = 0;
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(ring: &mut ByteRing, text: &str) -> Result<u64, TooLarge> {
        ring.push_with(text.len(), |dst| dst.copy_from_slice(text.as_bytes()))
    }

    fn held(ring: &ByteRing) -> Vec<(u64, String)> {
        ring.iter()
            .map(|(seq, bytes)| (seq, String::from_utf8(bytes.to_vec()).unwrap()))
            .collect()
    }

    #[test]
    fn drops_the_oldest_past_the_count() {
        let mut ring = ByteRing::new(2, 1024);
        assert_eq!(push(&mut ring, "aa"), Ok(1));
        assert_eq!(push(&mut ring, "bb"), Ok(2));
        assert_eq!(push(&mut ring, "cc"), Ok(3));
        assert_eq!(ring.dropped(), 1);
        assert_eq!(held(&ring), vec![(2, "bb".into()), (3, "cc".into())]);
    }

    #[test]
    fn drops_the_oldest_past_the_bytes_and_wraps_whole_records() {
        let mut ring = ByteRing::new(100, 10);
        push(&mut ring, "1111").unwrap();
        push(&mut ring, "2222").unwrap();
        // 8 bytes used; 4 more do not fit before the end: the record starts over at 0,
        // where "1111" was.
        push(&mut ring, "3333").unwrap();
        assert_eq!(held(&ring), vec![(2, "2222".into()), (3, "3333".into())]);
        // Now at 4..8, where "2222" was.
        push(&mut ring, "44").unwrap();
        assert_eq!(held(&ring), vec![(3, "3333".into()), (4, "44".into())]);
        push(&mut ring, "55").unwrap();
        // At 8 three bytes do not fit: over at 0..3, where "3333" was; "44" at 4..6 stays.
        push(&mut ring, "666").unwrap();
        assert_eq!(
            held(&ring),
            vec![(4, "44".into()), (5, "55".into()), (6, "666".into())]
        );
        assert_eq!(ring.dropped(), 3);
    }

    #[test]
    fn a_record_larger_than_the_bytes_is_refused_and_nothing_is_dropped() {
        let mut ring = ByteRing::new(10, 4);
        push(&mut ring, "ab").unwrap();
        assert_eq!(push(&mut ring, "abcde"), Err(TooLarge));
        assert_eq!(held(&ring), vec![(1, "ab".into())]);
        assert_eq!(push(&mut ring, "wxyz"), Ok(2));
        assert_eq!(held(&ring), vec![(2, "wxyz".into())]);
    }

    #[test]
    fn when_the_count_binds_the_buffer_stays_near_twice_the_live_bytes() {
        let mut ring = ByteRing::new(3, 64 * 1024 * 1024);
        for i in 0..20_000u32 {
            let text = format!("{i:>1000}");
            push(&mut ring, &text).unwrap();
            // The buffer grows by doubling: one step past the initial size at most.
            assert!(ring.buffer_bytes() <= 2 * INITIAL_BYTES, "at {i}");
        }
        let held: Vec<String> = held(&ring).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            held,
            (19_997..20_000)
                .map(|i| format!("{i:>1000}"))
                .collect::<Vec<_>>()
        );
        assert_eq!(ring.dropped(), 19_997);
        // Starting over early never dropped a record the count would have kept.
        let mut big = ByteRing::new(200, 64 * 1024 * 1024);
        for i in 0..2_000u32 {
            push(&mut big, &format!("{i:>1000}")).unwrap();
            assert_eq!(big.len(), (i as usize + 1).min(200));
        }
    }

    #[test]
    fn clear_keeps_numbering_and_empty_records_take_no_room() {
        let mut ring = ByteRing::new(10, 4);
        push(&mut ring, "ab").unwrap();
        ring.clear();
        assert!(ring.is_empty());
        assert_eq!(push(&mut ring, ""), Ok(2));
        assert_eq!(push(&mut ring, ""), Ok(3));
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.dropped(), 0);
    }

    #[test]
    fn survives_many_wraps_with_every_held_record_intact() {
        // (count, bytes, size step): the bytes bind; the count binds and the ring starts
        // over early; both bind in turn.
        for (count, bytes, step) in [(7, 100, 1), (50, 1 << 20, 2999), (40, 96 * 1024, 4001)] {
            let mut ring = ByteRing::new(count, bytes);
            let size = |n: u64| format!("{n}-").len() + (n * step % 13 * (step / 13 + 1)) as usize;
            for i in 0..3000u64 {
                let text = format!("{i}-{}", "x".repeat(size(i) - format!("{i}-").len()));
                push(&mut ring, &text).unwrap();
                let total: usize = ring.iter().map(|(_, b)| b.len()).sum();
                assert!(total <= bytes && ring.len() <= count);
                assert!(ring.buffer_bytes() <= bytes);
                let (last_seq, last) = held(&ring).pop().unwrap();
                assert_eq!((last_seq, last), (i + 1, text));
                for (seq, bytes) in held(&ring) {
                    let n = seq - 1;
                    assert!(bytes.starts_with(&format!("{n}-")), "{seq}: {bytes}");
                    assert_eq!(bytes.len(), size(n));
                }
            }
            if count == 50 {
                // 50 records of at most 2.8 KB: the ring started over long before 1 MiB.
                assert!(ring.buffer_bytes() <= 512 * 1024, "{}", ring.buffer_bytes());
            }
        }
    }
}
