//! The depth-first passes of the search, one per number of changes.

use std::cmp::Ordering;

use super::{Found, Problem};
use crate::exact::Mean;

/// Searches k = 1, 2, ... changes; see [`crate::paths_to_a`].
pub(super) fn search(problem: &Problem<'_>, limit: usize, node_cap: u32) -> Found {
    let must: Vec<usize> = (0..problem.criteria.len())
        .filter(|&index| problem.criteria[index].must_change)
        .collect();
    let optional = problem
        .criteria
        .iter()
        .filter(|c| !c.must_change && !c.levels.is_empty())
        .count();
    let must_mask = must.iter().fold(0u64, |mask, &index| mask | 1 << index);
    let mut pass = Pass {
        problem,
        wanted: 0,
        limit,
        picks: Vec::new(),
        found: Vec::new(),
        shorter: Vec::new(),
        nodes: 0,
        node_cap,
        stopped: false,
    };
    let mut paths: Vec<Vec<(usize, usize)>> = Vec::new();
    for wanted in 0..=optional {
        if must.is_empty() && wanted == 0 {
            continue;
        }
        pass.wanted = wanted;
        pass.limit = limit - paths.len();
        pass.found.clear();
        pass.node(0, 0, problem.base, None, must_mask);
        for found in pass.found.drain(..) {
            pass.shorter.push(mask_of(&found.picks));
            paths.push(found.picks);
        }
        if pass.stopped || paths.len() >= limit {
            break;
        }
    }
    Found {
        paths,
        complete: !pass.stopped,
        nodes: pass.nodes,
    }
}

/// A leaf that reached A: its picks, scaled sum and (when sums are not exact) mean.
struct Leaf {
    picks: Vec<(usize, usize)>,
    sum: i128,
    mean: Option<Mean>,
}

/// One depth-first search for paths with `wanted` optional changes.
struct Pass<'p, 'a> {
    problem: &'p Problem<'a>,
    wanted: usize,
    limit: usize,
    picks: Vec<(usize, usize)>,
    /// Best first, at most `limit`.
    found: Vec<Leaf>,
    /// Criteria sets of the paths with fewer changes, as bit masks by position (a
    /// definition has at most 50 criteria).
    shorter: Vec<u64>,
    nodes: u32,
    node_cap: u32,
    stopped: bool,
}

impl Pass<'_, '_> {
    /// Visits criterion `index` having chosen `chosen` optional changes so far, with
    /// scaled sum `sum`, the smallest step down among the picks `step` and the picked
    /// criteria `mask`. Criteria are visited in definition order, levels lowest first,
    /// changing before leaving unchanged: leaves come in the tie-breaking order.
    fn node(&mut self, index: usize, chosen: usize, sum: i128, step: Option<i128>, mask: u64) {
        if self.stopped {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.node_cap {
            self.stopped = true;
            return;
        }
        let p = self.problem;
        let still = self.wanted - chosen;
        let Some(&most_optional) = p.top_most[index].get(still) else {
            return; // fewer changeable criteria left than changes wanted
        };
        let most = sum + p.must_most[index] + most_optional;
        if most + p.slack < p.target {
            return;
        }
        let least = sum + p.must_least[index] + p.low_least[index][still];
        // Some pick could be lowered whatever comes next: not minimal.
        if step.is_some_and(|step| least - step >= p.target) {
            return;
        }
        if self.found.len() == self.limit
            && let Some(worst) = self.found.last()
            && least.max(p.target) >= worst.sum + p.slack
        {
            return; // no better than the worst kept, and later in the tie order
        }
        let Some(criterion) = p.criteria.get(index) else {
            self.leaf(sum);
            return;
        };
        let levels = criterion.levels.len();
        let optional = !criterion.must_change;
        if criterion.must_change || (levels > 0 && still > 0) {
            let with = mask | 1 << index;
            // A set that holds a shorter path's criteria cannot be minimal.
            if !(optional && self.shorter.iter().any(|&set| set & !with == 0)) {
                for level in 0..levels {
                    let gain = p.scaled[index][level] - p.now[index];
                    let step = min_step(step, p.step(index, level));
                    self.picks.push((index, level));
                    self.node(
                        index + 1,
                        chosen + usize::from(optional),
                        sum + gain,
                        step,
                        with,
                    );
                    self.picks.pop();
                }
            }
        }
        if optional {
            self.node(index + 1, chosen, sum, step, mask);
        }
    }

    /// A complete assignment: kept if it reaches A and no pick can be lowered.
    fn leaf(&mut self, sum: i128) {
        let p = self.problem;
        if !p.reaches(sum, &self.picks, None) {
            return;
        }
        for (position, &(index, level)) in self.picks.iter().enumerate() {
            if let Some(step) = p.step(index, level)
                && p.reaches(sum - step, &self.picks, Some(position))
            {
                return;
            }
        }
        let leaf = Leaf {
            picks: self.picks.clone(),
            sum,
            mean: (p.slack > 0).then(|| p.mean(&self.picks, None)),
        };
        // After every kept leaf that is not worse: ties keep the search's order.
        let at = self
            .found
            .iter()
            .position(|kept| compare(&leaf, kept).is_lt())
            .unwrap_or(self.found.len());
        self.found.insert(at, leaf);
        self.found.truncate(self.limit);
    }
}

/// Orders leaves by their exact sums.
fn compare(a: &Leaf, b: &Leaf) -> Ordering {
    match (&a.mean, &b.mean) {
        (Some(a), Some(b)) => a.cmp_value(b),
        _ => a.sum.cmp(&b.sum),
    }
}

fn min_step(a: Option<i128>, b: Option<i128>) -> Option<i128> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn mask_of(picks: &[(usize, usize)]) -> u64 {
    picks.iter().fold(0, |mask, &(index, _)| mask | 1 << index)
}
