//! Resident memory of this process, for the benchmarks that report it.

/// Resident set size in bytes (Linux `/proc/self/statm`; 0 elsewhere).
pub fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}
