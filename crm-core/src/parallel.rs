//! Work spread over the machine's cores: results in input order, or produced a step ahead.

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

#[cfg(test)]
mod tests {
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
