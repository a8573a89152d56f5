//! Fork-join on scoped threads, for the pure core's data-parallel passes (parsing
//! pieces of an input, aligning ranges of records). No pool and no I/O: each call
//! spawns its threads and joins them before returning.

/// Threads a pass uses at most.
const MAX_THREADS: usize = 8;

/// How many threads to use for `items` items when each thread should get at least
/// `min_per_thread` of them: between 1 and the number of cores.
pub(crate) fn threads_for(items: usize, min_per_thread: usize) -> usize {
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS);
    (items / min_per_thread.max(1)).clamp(1, cores)
}

/// Runs `f(0) .. f(parts - 1)`, on one thread each (on the calling thread when
/// `parts` is 1), and returns the results in order. A panic in `f` is re-raised.
pub(crate) fn map_parts<T: Send>(parts: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if parts <= 1 {
        return vec![f(0)];
    }
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (0..parts).map(|k| s.spawn(move || f(k))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Cuts `items` into at most `parts` consecutive chunks of similar size and runs
/// `f(offset, chunk)` on each (see [`map_parts`]); `offset` is the chunk's first index
/// in `items`. Results in order; none for no items.
pub(crate) fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    parts: usize,
    f: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
    let size = items.len().div_ceil(parts.max(1)).max(1);
    let chunks: Vec<&[T]> = items.chunks(size).collect();
    if chunks.is_empty() {
        return Vec::new();
    }
    map_parts(chunks.len(), |k| f(k * size, chunks[k]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order() {
        assert_eq!(map_parts(5, |k| k * 10), [0, 10, 20, 30, 40]);
        assert_eq!(map_parts(0, |k| k), [0]);
        let items: Vec<u32> = (0..10).collect();
        let sums = map_chunks(&items, 3, |offset, c| (offset, c.iter().sum::<u32>()));
        assert_eq!(sums, [(0, 6), (4, 22), (8, 17)]);
        assert!(map_chunks(&[] as &[u32], 4, |o, _| o).is_empty());
        assert_eq!(threads_for(10, 100), 1);
        assert!(threads_for(1 << 30, 1) >= 1);
    }
}
