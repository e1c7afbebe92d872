//! "Did you mean …?": the nearest known name to a mistyped one, by edit distance. Used for
//! unknown worker keys and unknown converter settings, where a typo otherwise only shows up
//! later as confusing behaviour.

/// Levenshtein distance between two strings, counted in chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `wrong` (compared case-insensitively), if it is close enough to be a
/// plausible typo: at most a third of the longer name's length, and never more than 4 edits.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let d = edit_distance(&wrong_lower, &candidate.to_lowercase());
        let limit = (wrong.chars().count().max(candidate.chars().count()) / 3).clamp(1, 4);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggests_only_plausible_typos() {
        let known = [
            "offset.flush.interval.ms",
            "offset.flush.timeout.ms",
            "group.id",
        ];
        assert_eq!(
            closest("ofset.flush.interval.ms", known),
            Some("offset.flush.interval.ms")
        );
        assert_eq!(closest("GROUP.ID", known), Some("group.id"));
        assert_eq!(closest("group.di", known), Some("group.id"));
        assert_eq!(closest("completely.different", known), None);
    }
}
