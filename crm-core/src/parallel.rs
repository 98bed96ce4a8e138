//! Work spread over the machine's cores, results in input order.

/// `f` applied to every item, on every core when there are at least `from` items (and more than
/// one core), else on the caller's thread. The results keep the order of `items`.
pub(crate) fn map<T, U>(items: Vec<T>, from: usize, f: impl Fn(T) -> U + Sync) -> Vec<U>
where
    T: Send,
    U: Send,
{
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || items.len() < from.max(2) {
        return items.into_iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    let mut rest = items;
    while rest.len() > per_thread {
        let tail = rest.split_off(per_thread);
        chunks.push(rest);
        rest = tail;
    }
    chunks.push(rest);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            // A panic in `f` is a bug: carry it to the caller as it would on one thread.
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_on_any_number_of_threads() {
        let items: Vec<u32> = (0..10_001).collect();
        let doubled = super::map(items.clone(), 1, |x| x * 2);
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(super::map(vec![3], 1, |x: i32| x + 1), vec![4]);
        assert!(super::map(Vec::<u8>::new(), 1, |x| x).is_empty());
    }
}
