//! Transparent huge pages off for the whole process, for the `kmock` binaries.
//!
//! Their allocator (mimalloc, built with `no_thp`) does not ask for huge pages, but a
//! kernel whose THP mode is `always` backs its large aligned arenas with them anyway. A
//! mock's heap grows and is purged in small steps (kept runs, events), so each huge-page
//! fault zeroes 2 MiB and each purge splits one, which slowed workflow bursts measurably
//! (docs/perf-history.md, round 7). A library cannot choose this for the program that links it, so only
//! the binaries call it.

/// Sets the process's "THP disable" flag (`prctl(PR_SET_THP_DISABLE)`): later page faults
/// get ordinary pages, whatever the host's THP mode. Call it first thing in `main`.
/// Best effort: where the call is refused (a seccomp filter, say) only speed changes, so
/// callers log the error at most.
pub fn disable_for_this_process() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::thread::disable_transparent_huge_pages(true)?;
    Ok(())
}
