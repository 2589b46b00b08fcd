//! Tests of the path to A: which changes, in which order, and the search's bound.

use super::search::{Criterion, Problem};
use super::*;
use crate::AnswerValue::{Number, Scale, Unknown, YesNo};
use crate::test_support::{answer, bands, criterion, definition, draft, fields, scale, yes_no};
use crate::{CriterionDraft, Rule, YesNoRule, score};

/// A definition with these criteria and these thresholds.
fn def_with(threshold_a: u32, criteria: Vec<CriterionDraft>) -> Definition {
    let mut draft = draft(criteria);
    draft.threshold_a = threshold_a;
    draft.threshold_b = threshold_a.saturating_sub(1).min(threshold_a / 2);
    definition(draft)
}

fn found(def: &Definition, answers: &[AnswerDraft], limit: usize) -> PathsToA {
    match paths_to_a(def, answers, limit) {
        Ok(found) => found,
        Err(errors) => panic!("answers should be valid: {errors}"),
    }
}

/// Each path as its changes `key=answer` and its score, e.g. `(["a=true"], 5000)`.
fn summary(found: &PathsToA) -> Vec<(Vec<String>, u32)> {
    let PathsToA::Paths { paths, complete } = found else {
        panic!("expected paths, got {found:?}");
    };
    assert!(complete, "the search should be complete");
    paths
        .iter()
        .map(|path| {
            let changes = path.changes.iter().map(|c| {
                let to = match &c.to {
                    YesNo(yes) => yes.to_string(),
                    Scale(value) => value.to_string(),
                    Number(value) => value.to_string(),
                    other => format!("{other:?}"),
                };
                format!("{}={to}", c.key)
            });
            (changes.collect(), path.score_bp.get())
        })
        .collect()
}

fn owned(paths: &[(&[&str], u32)]) -> Vec<(Vec<String>, u32)> {
    let paths = paths.iter().map(|(changes, score)| {
        let changes = changes.iter().map(|c| (*c).to_owned());
        (changes.collect(), *score)
    });
    paths.collect()
}

fn no(key: &str) -> AnswerDraft {
    answer(key, YesNo(false))
}

#[test]
fn answers_that_are_a_already_need_no_path() {
    let def = def_with(50, vec![criterion("a", 1, yes_no(None))]);
    assert_eq!(
        found(&def, &[answer("a", YesNo(true))], 3),
        PathsToA::AlreadyA
    );
}

#[test]
fn a_threshold_no_answer_can_reach_is_unreachable() {
    let half = Rule::YesNo(YesNoRule {
        yes_points: 50,
        no_points: 0,
        knockout_on: None,
    });
    let def = def_with(75, vec![criterion("a", 1, half)]);
    assert_eq!(found(&def, &[no("a")], 3), PathsToA::Unreachable);
}

#[test]
fn paths_with_one_change_come_before_paths_with_two_and_none_contains_a_shorter_one() {
    // Weights 2, 1, 1 and A at 50: "a" alone reaches it, "b" and "c" only together.
    let def = def_with(
        50,
        vec![
            criterion("a", 2, yes_no(None)),
            criterion("b", 1, yes_no(None)),
            criterion("c", 1, yes_no(None)),
        ],
    );
    let paths = found(&def, &[no("a"), no("b"), no("c")], 5);
    assert_eq!(
        summary(&paths),
        owned(&[(&["a=true"], 5_000), (&["b=true", "c=true"], 5_000)])
    );
}

#[test]
fn among_equally_many_changes_the_least_overshoot_comes_first() {
    // Weights 5, 4, 1 and A at 40: "b" reaches exactly 40, "a" overshoots to 50.
    let def = def_with(
        40,
        vec![
            criterion("a", 5, yes_no(None)),
            criterion("b", 4, yes_no(None)),
            criterion("c", 1, yes_no(None)),
        ],
    );
    let paths = found(&def, &[no("a"), no("b"), no("c")], 2);
    assert_eq!(
        summary(&paths),
        owned(&[(&["b=true"], 4_000), (&["a=true"], 5_000)])
    );
}

#[test]
fn a_scale_is_raised_only_as_far_as_needed() {
    // 1..=5 (0, 25, 50, 75, 100 points) and a yes/no, equal weights, A at 75: the yes
    // and a 3 make exactly 75.
    let def = def_with(
        75,
        vec![
            criterion("s", 1, scale(1, 5, None)),
            criterion("y", 1, yes_no(None)),
        ],
    );
    let paths = found(&def, &[answer("s", Scale(1)), no("y")], 3);
    assert_eq!(summary(&paths), owned(&[(&["s=3", "y=true"], 7_500)]));
}

#[test]
fn a_third_of_a_scale_that_makes_the_threshold_exactly_reaches_it() {
    // A 0..=3 scale of weight 3 and a yes/no of weight 1, A at 25: a 1 on the scale
    // earns 3333 1/3 points, 3 x 3333 1/3 / 4 = 2500 exactly.
    let def = def_with(
        25,
        vec![
            criterion("s", 3, scale(0, 3, None)),
            criterion("y", 1, yes_no(None)),
        ],
    );
    let paths = found(&def, &[answer("s", Scale(0)), no("y")], 3);
    assert_eq!(
        summary(&paths),
        owned(&[(&["s=1"], 2_500), (&["y=true"], 2_500)])
    );
}

#[test]
fn sums_too_fine_for_integers_are_decided_exactly() {
    // Seven scales with prime spans (their common denominator is above 2^40) at their
    // best, a yes/no at yes, and two 0..=97 scales at 0 and 1: 96 + 1 or 0 + 97
    // ninety-sevenths make exactly one more criterion's worth, 90 %.
    let mut criteria: Vec<CriterionDraft> = [53, 59, 61, 67, 71, 73, 79]
        .iter()
        .map(|&span| criterion(&format!("p{span}"), 1, scale(0, span, None)))
        .collect();
    criteria.push(criterion("x", 1, scale(0, 97, None)));
    criteria.push(criterion("y", 1, scale(0, 97, None)));
    criteria.push(criterion("z", 1, yes_no(None)));
    let def = def_with(90, criteria);
    let mut answers: Vec<AnswerDraft> = [53, 59, 61, 67, 71, 73, 79]
        .iter()
        .map(|&span| answer(&format!("p{span}"), Scale(span)))
        .collect();
    answers.extend([
        answer("x", Scale(0)),
        answer("y", Scale(1)),
        answer("z", YesNo(true)),
    ]);
    let paths = found(&def, &answers, 3);
    assert_eq!(
        summary(&paths),
        owned(&[(&["x=96"], 9_000), (&["y=97"], 9_000)])
    );
}

#[test]
fn every_path_changes_every_knockout_even_to_fewer_points() {
    // "gate" answered no is a knockout that still earns 100 points; fixing it costs them.
    let gate = Rule::YesNo(YesNoRule {
        yes_points: 0,
        no_points: 100,
        knockout_on: Some(false),
    });
    let def = def_with(
        50,
        vec![
            criterion("gate", 1, gate),
            criterion("a", 1, yes_no(None)),
            criterion("b", 1, yes_no(None)),
        ],
    );
    let paths = found(&def, &[no("gate"), answer("a", YesNo(true)), no("b")], 3);
    assert_eq!(summary(&paths), owned(&[(&["gate=true", "b=true"], 6_666)]));
}

#[test]
fn an_unknown_answer_to_a_knockout_criterion_must_become_a_known_one() {
    let def = def_with(
        50,
        vec![
            criterion("ceo", 1, yes_no(Some(false))),
            criterion("a", 1, yes_no(None)),
        ],
    );
    let paths = found(&def, &[answer("ceo", Unknown), answer("a", YesNo(true))], 3);
    // Yes earns 100 points, but "no" is the knockout: the only way out is yes.
    assert_eq!(summary(&paths), owned(&[(&["ceo=true"], 10_000)]));
}

#[test]
fn a_number_moves_to_the_lowest_number_of_the_band_it_needs() {
    // Below 10k: 0, 10k to 50k: 50, from 50k: 100; below 5k a knockout.
    let budget = bands(
        &[(None, 0), (Some(10_000), 50), (Some(50_000), 100)],
        Some(5_000),
    );
    let def = def_with(50, vec![criterion("budget", 1, budget)]);
    let paths = found(&def, &[answer("budget", Number(3_000))], 3);
    // 50000 would reach A too, but lowered to 10000 it still does: not a path.
    assert_eq!(summary(&paths), owned(&[(&["budget=10000"], 5_000)]));
}

#[test]
fn the_changes_say_what_each_answer_is_and_earns() {
    let def = def_with(75, vec![criterion("s", 1, scale(1, 5, None))]);
    let PathsToA::Paths { paths, .. } = found(&def, &[answer("s", Scale(2))], 1) else {
        panic!("expected paths");
    };
    let change = &paths[0].changes[0];
    assert_eq!(change.key.as_str(), "s");
    assert_eq!((&change.from, &change.to), (&Scale(2), &Scale(4)));
    assert_eq!(
        (change.from_points_bp.get(), change.to_points_bp.get()),
        (2_500, 7_500)
    );
}

#[test]
fn at_most_the_cap_of_paths_is_returned_and_at_least_one() {
    let criteria = (0..20)
        .map(|i| criterion(&format!("c{i:02}"), 1, yes_no(None)))
        .collect();
    let def = def_with(5, criteria);
    let answers: Vec<AnswerDraft> = (0..20).map(|i| no(&format!("c{i:02}"))).collect();
    for (limit, expected) in [(0, 1), (3, 3), (100, MAX_PATHS_TO_A)] {
        let PathsToA::Paths { paths, .. } = found(&def, &answers, limit) else {
            panic!("expected paths");
        };
        assert_eq!(paths.len(), expected, "limit {limit}");
    }
}

#[test]
fn invalid_answers_are_refused_as_score_refuses_them() {
    let def = def_with(50, vec![criterion("a", 1, yes_no(None))]);
    assert_eq!(fields(paths_to_a(&def, &[], 3)), ["answers"]);
    assert_eq!(
        fields(paths_to_a(&def, &[answer("a", Scale(1))], 3)),
        ["answers.0.value"]
    );
}

/// Runs the search itself with a node cap, to see how many nodes it took and whether it
/// completed.
fn capped_search(
    def: &Definition,
    answers: &[AnswerDraft],
    limit: usize,
    node_cap: u32,
) -> (Vec<PathToA>, u32, bool) {
    let mut problems = Problems::default();
    let slots = evaluate_answers(def, answers, "answers", &mut problems);
    let evaluations = require_all(def, &slots, "answers", &mut problems);
    let current: Vec<AnswerValue> = answers.iter().map(|a| a.value.clone()).collect();
    let criteria = def
        .criteria()
        .iter()
        .zip(&evaluations)
        .map(|(c, now)| Criterion::new(c.weight().get(), *now, levels(c.rule(), now)));
    let problem = Problem::new(def, criteria.collect());
    let found = problem.search(limit, node_cap);
    let paths = found
        .paths
        .iter()
        .filter_map(|picks| path(def, &problem, &evaluations, &current, picks));
    (paths.collect(), found.nodes, found.complete)
}

/// The search with the real cap, which it must not reach.
fn search_of(def: &Definition, answers: &[AnswerDraft], limit: usize) -> (Vec<PathToA>, u32) {
    let (paths, nodes, complete) = capped_search(def, answers, limit, PATH_SEARCH_NODES);
    assert!(complete, "stopped after {nodes} nodes");
    (paths, nodes)
}

fn fifty(rule: Rule, weight: impl Fn(u32) -> u32) -> Definition {
    let criteria = (0..50)
        .map(|i| criterion(&format!("c{i:02}"), weight(i), rule.clone()))
        .collect();
    def_with(75, criteria)
}

/// The same answer to each of the fifty criteria.
fn fifty_answers(value: AnswerValue) -> Vec<AnswerDraft> {
    (0..50)
        .map(|i| answer(&format!("c{i:02}"), value.clone()))
        .collect()
}

#[test]
fn fifty_equal_scales_at_the_bottom_need_38_changes_and_are_found_within_the_cap() {
    // Every 1..=5 scale at 1, A at 75: 37 fives and one 3 make exactly 75.
    let def = fifty(scale(1, 5, None), |_| 1);
    let answers = fifty_answers(Scale(1));
    let (paths, nodes) = search_of(&def, &answers, 3);
    assert!(nodes < PATH_SEARCH_NODES / 10, "{nodes} nodes");
    assert_eq!(paths.len(), 3);
    for path in &paths {
        assert_eq!((path.changes.len(), path.score_bp.get()), (38, 7_500));
        let threes = path.changes.iter().filter(|c| c.to == Scale(3)).count();
        assert_eq!(threes, 1);
    }
    // The first path in the tie order: c00 to 3, c01..=c37 to 5.
    let keys: Vec<&str> = paths[0].changes.iter().map(|c| c.key.as_str()).collect();
    let expected: Vec<String> = (0..38).map(|i| format!("c{i:02}")).collect();
    assert_eq!(keys, expected);
}

#[test]
fn fifty_knockouts_all_change_and_are_found_within_the_cap() {
    // Every 1..=5 scale at 1, below 3 a knockout, weights 1..=50: all must change.
    let def = fifty(scale(1, 5, Some(3)), |i| i + 1);
    let answers = fifty_answers(Scale(1));
    let (paths, nodes) = search_of(&def, &answers, 3);
    assert!(nodes < PATH_SEARCH_NODES, "{nodes} nodes");
    assert_eq!(paths.len(), 3);
    for path in &paths {
        assert_eq!(path.changes.len(), 50);
        assert_eq!(path.score_bp.get(), 7_500, "an exact hit exists");
        check_reaches_a(&def, &answers, path);
    }
}

#[test]
fn fifty_yes_no_weighted_1_to_50_is_a_subset_sum_found_within_the_cap() {
    // Which weights add up to at least 75 % of 1275 with the least overshoot: 26
    // changes are the fewest (the 25 heaviest make 950 of the 957 needed).
    let def = fifty(yes_no(None), |i| i + 1);
    let answers = fifty_answers(YesNo(false));
    let (paths, nodes) = search_of(&def, &answers, 3);
    assert!(nodes < PATH_SEARCH_NODES, "{nodes} nodes");
    assert_eq!(paths.len(), 3);
    let mut previous = 0;
    for path in &paths {
        assert_eq!(path.changes.len(), 26);
        assert!(path.score_bp.get() >= previous, "sorted by score");
        previous = path.score_bp.get();
        check_reaches_a(&def, &answers, path);
        check_minimal(&def, &answers, path);
    }
    // 957 of 1275 is 75.05 %: no 26 weights make 956.25 exactly.
    assert_eq!(paths[0].score_bp.get(), 7_505);
}

#[test]
fn a_search_stopped_by_the_cap_says_so_and_what_it_found_still_reaches_a() {
    // Fifty scales at 0 with spans of eight primes and weights 1..=50: the sums are so
    // fine that no path hits the threshold exactly, so the search cannot tell it has
    // found the least overshoot before it has looked at nearly every set of 26.
    let spans = [3, 5, 7, 11, 13, 17, 19, 23];
    let criteria = (0..50)
        .map(|i| {
            criterion(
                &format!("c{i:02}"),
                i + 1,
                scale(0, spans[i as usize % 8], None),
            )
        })
        .collect();
    let def = def_with(75, criteria);
    let answers = fifty_answers(Scale(0));
    let (paths, nodes, complete) = capped_search(&def, &answers, 3, PATH_SEARCH_NODES);
    assert!(!complete);
    assert_eq!(
        nodes,
        PATH_SEARCH_NODES + 1,
        "the node over the cap stops it"
    );
    assert_eq!(paths.len(), 3);
    for path in &paths {
        // The passes for 1..=25 changes completed: 26 is still the fewest.
        assert_eq!(path.changes.len(), 26);
        check_reaches_a(&def, &answers, path);
        check_minimal(&def, &answers, path);
    }
}

/// Undoing any one change of `path` loses tier A.
fn check_minimal(def: &Definition, answers: &[AnswerDraft], path: &PathToA) {
    for undone in &path.changes {
        let mut changed = answers.to_vec();
        for change in path.changes.iter().filter(|c| c.key != undone.key) {
            let at = changed.iter().position(|a| a.key == change.key.as_str());
            changed[at.unwrap_or(0)].value = change.to.clone();
        }
        let tier = score(def, &changed).map(|assessment| assessment.tier);
        assert_ne!(tier, Ok(Tier::A), "{} is not needed", undone.key);
    }
}

fn check_reaches_a(def: &Definition, answers: &[AnswerDraft], path: &PathToA) {
    let mut changed = answers.to_vec();
    for change in &path.changes {
        let at = changed.iter().position(|a| a.key == change.key.as_str());
        changed[at.unwrap_or(0)].value = change.to.clone();
    }
    match score(def, &changed) {
        Ok(assessment) => {
            assert_eq!(assessment.tier, Tier::A);
            assert_eq!(assessment.score_bp, path.score_bp);
        }
        Err(errors) => panic!("a path's answers should be valid: {errors}"),
    }
}
