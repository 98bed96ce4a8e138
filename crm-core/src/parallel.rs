//! Work spread over the machine's cores: results in input order, taken from a queue, or
//! produced a step ahead; and a sort on two cores.

use crate::error::{Error, Result};

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

/// Runs `produce` on a thread of its own, up to two items ahead of `consume`, which runs on the
/// caller's thread and pulls the items with the function it is given: `Ok(None)` once `produce`
/// has returned `None`. If the producing thread dies (a panic), the pull is an error rather than
/// an end, so that a consumer never takes what it got for the whole; the panic then carries on
/// to the caller. When `consume` returns, `produce` is not called again.
pub(crate) fn ahead<T: Send, R>(
    mut produce: impl FnMut() -> Option<T> + Send,
    consume: impl FnOnce(&mut dyn FnMut() -> Result<Option<T>>) -> R,
) -> R {
    std::thread::scope(|scope| {
        let (sent, received) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            loop {
                let item = produce();
                let end = item.is_none();
                // A closed channel: the consumer is done.
                if sent.send(item).is_err() || end {
                    return;
                }
            }
        });
        let mut ended = false;
        consume(&mut || {
            if ended {
                return Ok(None);
            }
            let item = received
                .recv()
                .map_err(|_| Error::Internal("a worker thread stopped".into()))?;
            ended = item.is_none();
            Ok(item)
        })
    })
}

/// `f` applied to every item, on every core (when there are several items and cores), each
/// core taking the next item left: for items of very different costs, the costliest first.
/// The results come in no particular order.
pub(crate) fn map_queued<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        while let Some(item) = items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
            out.push(f(item));
        }
        out
    };
    if threads < 2 || items.len() < 2 {
        return work();
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        workers
            .into_iter()
            // A panic in `f` is a bug: carry it to the caller as it would on one thread.
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Sorts `items` by `order` (not stably) on two cores when there are two and many items: split
/// around the median of a sample, each side sorted on its own.
pub(crate) fn sort_by<T: Copy + Send>(
    items: &mut [T],
    order: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads < 2 || items.len() < 1 << 16 {
        items.sort_unstable_by(&order);
        return;
    }
    // The median of an even sample: two sides of about one size.
    let step = items.len() / 1024;
    let mut sample: Vec<T> = items.iter().step_by(step.max(1)).copied().collect();
    sample.sort_unstable_by(&order);
    let pivot = sample[sample.len() / 2];
    // Partition: every item before the pivot first.
    let mut low = 0;
    for i in 0..items.len() {
        if order(&items[i], &pivot).is_lt() {
            items.swap(low, i);
            low += 1;
        }
    }
    let (left, right) = items.split_at_mut(low);
    let order = &order;
    std::thread::scope(|scope| {
        scope.spawn(|| left.sort_unstable_by(order));
        right.sort_unstable_by(order);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn sort_by_sorts_large_inputs_with_repeats_and_small_ones() {
        // Large enough for two cores, with many equal items and a pivot that may be the least.
        let mut x: u64 = 7;
        let mut items: Vec<u64> = (0..200_000)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (x >> 33) % 1_000
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        super::sort_by(&mut items, u64::cmp);
        assert_eq!(items, expected);
        let mut same = vec![3u64; 100_000];
        super::sort_by(&mut same, |a, b| b.cmp(a));
        assert!(same.iter().all(|&v| v == 3));
        let mut few = vec![3, 1, 2];
        super::sort_by(&mut few, |a: &i32, b| b.cmp(a));
        assert_eq!(few, [3, 2, 1]);
    }

    #[test]
    fn map_queued_maps_every_item_once() {
        let items: Vec<u32> = (0..1_000).collect();
        let mut got = super::map_queued(&items, |&i| i * 2);
        got.sort_unstable();
        assert_eq!(got, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(super::map_queued(&[5u32], |&i| i + 1), [6]);
        assert!(super::map_queued(&[] as &[u32], |&i| i).is_empty());
    }

    #[test]
    fn ahead_hands_items_over_in_order_and_a_dead_producer_is_no_end() {
        let mut n = 0;
        let got = super::ahead(
            || {
                n += 1;
                (n <= 5).then_some(n)
            },
            |next| std::iter::from_fn(|| next().unwrap()).collect::<Vec<_>>(),
        );
        assert_eq!(got, [1, 2, 3, 4, 5]);

        let panicked = std::panic::catch_unwind(|| {
            let mut n = 0;
            super::ahead(
                || {
                    n += 1;
                    assert!(n < 3, "the producer dies");
                    Some(n)
                },
                |next| {
                    let mut seen = Vec::new();
                    let end = loop {
                        match next() {
                            Ok(Some(i)) => seen.push(i),
                            other => break other,
                        }
                    };
                    assert_eq!(seen, [1, 2]);
                    assert!(
                        end.is_err(),
                        "a dead producer reads as an error, not an end"
                    );
                },
            );
        });
        assert!(panicked.is_err(), "the producer's panic reaches the caller");
    }

    #[test]
    fn keeps_the_order_on_any_number_of_threads() {
        let items: Vec<u32> = (0..10_001).collect();
        let doubled = super::map(items.clone(), 1, |x| x * 2);
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(super::map(vec![3], 1, |x: i32| x + 1), vec![4]);
        assert!(super::map(Vec::<u8>::new(), 1, |x| x).is_empty());
    }
}
