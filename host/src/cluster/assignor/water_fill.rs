//! Handing new items to the least-loaded workers (Java's `assignConnectors`/`assignTasks`).
//!
//! Workers are sorted once by (load, member id); each pass gives one item to every worker
//! at the current lowest load, so the loads rise together like water filling a basin.

use std::collections::BTreeSet;

/// Distributes `items` over `loads` (member id, that member's set), lowest load first.
///
/// Not re-sorted between passes, exactly like Java: after a pass the filled prefix is still
/// in order, and ties between it and the untouched tail keep the prefix first.
pub(super) fn water_fill<T: Ord>(mut loads: Vec<(&str, &mut BTreeSet<T>)>, items: Vec<T>) {
    if loads.is_empty() {
        return;
    }
    loads.sort_by(|a, b| (a.1.len(), a.0).cmp(&(b.1.len(), b.0)));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let floor = loads[0].1.len();
        let up_to = loads
            .iter()
            .position(|(_, set)| set.len() > floor)
            .unwrap_or(loads.len());
        for (_, set) in loads[..up_to].iter_mut() {
            match items.next() {
                Some(item) => {
                    set.insert(item);
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_lowest_first_and_breaks_ties_by_member_id() {
        let mut a: BTreeSet<u32> = [1, 2].into();
        let mut b: BTreeSet<u32> = BTreeSet::new();
        let mut c: BTreeSet<u32> = BTreeSet::new();
        water_fill(
            vec![("a", &mut a), ("c", &mut c), ("b", &mut b)],
            vec![10, 11, 12, 13, 14],
        );
        // b and c rise to 2 (b first), then a, b, c get one each.
        assert_eq!(b, [10, 12, 14].into());
        assert_eq!(c, [11, 13].into());
        assert_eq!(a, [1, 2].into());
        // Not re-sorted: the tie at load 2 is walked b, c, a, so 14 went to b.
    }

    #[test]
    fn no_workers_or_no_items_is_a_no_op() {
        water_fill::<u32>(Vec::new(), vec![1]);
        let mut a: BTreeSet<u32> = BTreeSet::new();
        water_fill(vec![("a", &mut a)], Vec::new());
        assert!(a.is_empty());
    }
}
