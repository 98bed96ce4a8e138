//! A collector of the hits with the greatest value of an `i64` fast field (the latest booking,
//! the newest customer) that also counts every hit, in one pass and without scoring. It reads the
//! column a block of hits at a time where tantivy hands it blocks.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{ColumnIndex, ColumnValues};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The `take` hits with the greatest `field` (ties: first indexed first), and the hit count.
pub(super) struct Latest {
    field: &'static str,
    take: usize,
}

impl Latest {
    /// The first `take` hits by `field`, greatest first.
    pub(super) fn new(field: &'static str, take: usize) -> Self {
        Self { field, take }
    }
}

/// A hit ranked by value, then by address (earlier first).
type Ranked = (i64, Reverse<DocAddress>);

/// How one segment's values are read.
enum Values {
    /// Every document has exactly one value: read by document id, blocks at a time.
    Dense(Arc<dyn ColumnValues<i64>>),
    /// Anything else, through the column's index; a document without a value ranks last.
    Sparse(tantivy::columnar::Column<i64>),
}

/// The per-segment half of [`Latest`].
pub(super) struct LatestInSegment {
    segment: SegmentOrdinal,
    values: Values,
    take: usize,
    /// The best `take` so far, worst on top.
    best: BinaryHeap<Reverse<Ranked>>,
    count: usize,
    buffer: Vec<i64>,
}

impl LatestInSegment {
    fn offer(&mut self, doc: DocId, value: i64) {
        let ranked = (
            value,
            Reverse(DocAddress {
                segment_ord: self.segment,
                doc_id: doc,
            }),
        );
        if self.best.len() < self.take {
            self.best.push(Reverse(ranked));
        } else if let Some(mut worst) = self.best.peek_mut()
            && ranked > worst.0
        {
            *worst = Reverse(ranked);
        }
    }
}

impl Collector for Latest {
    type Fruit = (Vec<DocAddress>, usize);
    type Child = LatestInSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<LatestInSegment> {
        let column = reader.fast_fields().i64(self.field)?;
        let values = match column.index {
            ColumnIndex::Full => Values::Dense(column.values),
            _ => Values::Sparse(column),
        };
        Ok(LatestInSegment {
            segment,
            values,
            take: self.take,
            best: BinaryHeap::new(),
            count: 0,
            buffer: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<(Vec<Ranked>, usize)>,
    ) -> tantivy::Result<(Vec<DocAddress>, usize)> {
        let count = segments.iter().map(|(_, n)| n).sum();
        let mut all: Vec<Ranked> = segments.into_iter().flat_map(|(best, _)| best).collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        all.truncate(self.take);
        Ok((all.into_iter().map(|(_, Reverse(a))| a).collect(), count))
    }
}

impl SegmentCollector for LatestInSegment {
    type Fruit = (Vec<Ranked>, usize);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.count += 1;
        let value = match &self.values {
            Values::Dense(values) => values.get_val(doc),
            Values::Sparse(column) => column.first(doc).unwrap_or(i64::MIN),
        };
        self.offer(doc, value);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let Values::Dense(values) = &self.values else {
            for &doc in docs {
                self.collect(doc, 0.0);
            }
            return;
        };
        self.count += docs.len();
        if self.take == 0 {
            return;
        }
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.resize(docs.len(), 0);
        values.get_vals(docs, &mut buffer);
        for (&doc, &value) in docs.iter().zip(&buffer) {
            self.offer(doc, value);
        }
        self.buffer = buffer;
    }

    fn harvest(self) -> (Vec<Ranked>, usize) {
        (
            self.best.into_iter().map(|Reverse(r)| r).collect(),
            self.count,
        )
    }
}
