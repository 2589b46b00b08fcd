//! The benchmark's targets, checked against a run's medians.

use crate::report::{Cell, Check, Size, size_cell};
use crate::scenarios::Scenario;
use crate::serve::Kind;

const LOADED: usize = 16;

/// The throughput targets and their minimum ratio.
const THROUGHPUT: [(Scenario, f64); 2] = [(Scenario::S3, 0.8), (Scenario::S2, 0.9)];

/// The scenarios whose p50 may grow at most `MAX_GROWTH` times from the smallest data size
/// to the largest, at every concurrency.
const GROWTH: [Scenario; 4] = [Scenario::S3, Scenario::S6, Scenario::S7, Scenario::S8];
const MAX_GROWTH: f64 = 1.3;

/// The feedback loop's scenarios and the dashboard, whose SQL statements per request must
/// not change with the data size (their aggregates are `GROUP BY` statements, whatever the
/// number of clients, prospects and mentees).
const FLAT_STATEMENTS: [Scenario; 3] = [Scenario::S6, Scenario::S7, Scenario::S8];

/// The targets on the API's server CPU per request over the floor's, and their maximum.
const OVER_FLOOR: [(Scenario, f64); 2] = [(Scenario::S3, 2.0), (Scenario::S2, 1.5)];

/// Whether a throughput target reads this cell (the floor targets read the same cells).
pub fn is_checked(scenario: Scenario, concurrency: usize) -> bool {
    concurrency == LOADED && THROUGHPUT.iter().any(|(s, _)| *s == scenario)
}

/// The throughput ratio, with the spread of the repeats' pairs it is the median of.
fn measured_ratio(cell: &Cell) -> String {
    spread(
        cell.throughput_ratio,
        &cell.paired_ratios,
        Some(cell.ratio_of_medians),
    )
}

/// A median of paired ratios, with the spread of the pairs and the ratio of the medians.
fn spread(ratio: f64, pairs: &[f64], of_medians: Option<f64>) -> String {
    if pairs.len() < 2 {
        return format!("{ratio:.2}");
    }
    let low = pairs.iter().copied().fold(f64::INFINITY, f64::min);
    let high = pairs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let of_medians = of_medians.map_or("-".to_owned(), |r| format!("{r:.2}"));
    format!(
        "{ratio:.2} ({} pairs {low:.2}..{high:.2}; ratio of medians {of_medians})",
        pairs.len()
    )
}

/// "S3 server CPU per request, GraphQL / floor" for one size: not measured (and so not
/// met) on PostgreSQL, where there is no floor.
fn over_floor(size: &Size, scenario: Scenario, max: f64) -> Option<Check> {
    let what = format!(
        "{scenario} server CPU per request, GraphQL / floor, c={LOADED}, {} q.",
        size.qualifications
    );
    let target = format!("<= {max}");
    let cell = size_cell(size, scenario, LOADED)?;
    if !size.database.starts_with("sqlite") {
        return Some(Check {
            what,
            target,
            measured: "not measured on PostgreSQL".to_owned(),
            met: false,
        });
    }
    let floor = cell.floor.as_ref()?;
    let measured = match floor.cpu_ratio {
        Some(ratio) => spread(ratio, &floor.paired_cpu_ratios, floor.cpu_ratio_of_medians),
        None => "no server CPU figures".to_owned(),
    };
    Some(Check {
        what,
        target,
        measured,
        met: floor.cpu_ratio.is_some_and(|r| r <= max),
    })
}

pub fn evaluate(sizes: &[Size]) -> Vec<Check> {
    let mut checks = Vec::new();
    for size in sizes {
        let n = size.qualifications;
        for (scenario, min) in THROUGHPUT {
            if let Some(cell) = size_cell(size, scenario, LOADED) {
                checks.push(Check {
                    what: format!("{scenario} throughput, GraphQL / baseline, c={LOADED}, {n} q."),
                    target: format!(">= {min}"),
                    measured: measured_ratio(cell),
                    met: cell.throughput_ratio >= min,
                });
            }
        }
        checks.extend(
            OVER_FLOOR
                .iter()
                .filter_map(|&(scenario, max)| over_floor(size, scenario, max)),
        );
        let s0: Vec<String> = size
            .cells
            .iter()
            .filter(|c| c.scenario == Scenario::S0)
            .filter_map(|c| {
                let extra =
                    c.api.server_cpu_us_per_request? - c.baseline.server_cpu_us_per_request?;
                Some((c.concurrency, extra))
            })
            .map(|(c, extra)| format!("c={c}: {extra:+.1} µs"))
            .collect();
        let worst = size
            .cells
            .iter()
            .filter(|c| c.scenario == Scenario::S0)
            .filter_map(|c| {
                Some(c.api.server_cpu_us_per_request? - c.baseline.server_cpu_us_per_request?)
            })
            .fold(f64::MIN, f64::max);
        if !s0.is_empty() {
            checks.push(Check {
                what: format!("S0 server CPU per request, GraphQL - baseline, {n} q."),
                target: "<= +15 µs".to_owned(),
                measured: s0.join(", "),
                met: worst <= 15.0,
            });
        }
        if let Some(storm) = size.storm.iter().find(|s| s.server == Kind::Api) {
            checks.push(Check {
                what: format!("S3 p99 during 64 concurrent logins / without, GraphQL, {n} q."),
                target: "<= 2".to_owned(),
                measured: format!(
                    "{:.2} ({:.1} ms / {:.1} ms)",
                    storm.p99_ratio, storm.s3_during_storm.p99_ms, storm.s3_alone.p99_ms
                ),
                met: storm.p99_ratio <= 2.0,
            });
        }
        let s2_errors: u64 = size
            .cells
            .iter()
            .filter(|c| c.scenario == Scenario::S2)
            .map(|c| c.api.errors + c.baseline.errors)
            .sum();
        // The baseline's and the API's, as before the floor ran beside them.
        let locked: usize = size
            .locked_log_lines
            .iter()
            .filter(|(kind, _)| *kind != Kind::Floor)
            .map(|(_, n)| n)
            .sum();
        if size.database.starts_with("sqlite") {
            checks.push(Check {
                what: format!("S2 on SQLite at every concurrency, {n} q."),
                target: "zero errors, no \"database is locked\"".to_owned(),
                measured: format!("{s2_errors} errors, {locked} locked log lines"),
                met: s2_errors == 0 && locked == 0,
            });
        }
    }
    checks.extend(sizes.iter().filter_map(key_against_token));
    if let Some(check) = statements(sizes) {
        checks.push(check);
    }
    checks.extend(
        FLAT_STATEMENTS
            .iter()
            .filter_map(|&scenario| flat_statements(sizes, scenario)),
    );
    checks.extend(
        GROWTH
            .iter()
            .filter_map(|&scenario| growth(sizes, scenario)),
    );
    checks
}

/// A scenario's statements per request on the API: the same at every data size and
/// concurrency, with every response correct (an error answer's statements say nothing).
/// `None` when it was not run.
fn flat_statements(sizes: &[Size], scenario: Scenario) -> Option<Check> {
    let cells = || {
        sizes
            .iter()
            .flat_map(|size| &size.cells)
            .filter(|cell| cell.scenario == scenario)
    };
    let counts: Vec<f64> = cells()
        .filter_map(|cell| cell.api.statements_per_request)
        .collect();
    if counts.is_empty() {
        return None;
    }
    let errors: u64 = cells().map(|cell| cell.api.errors).sum();
    let lo = counts.iter().copied().fold(f64::MAX, f64::min);
    let hi = counts.iter().copied().fold(f64::MIN, f64::max);
    let sizes: Vec<String> = sizes.iter().map(|s| s.qualifications.to_string()).collect();
    Some(Check {
        what: format!(
            "{scenario} SQL statements per request, GraphQL, at {} q.",
            sizes.join(" and ")
        ),
        target: "constant".to_owned(),
        measured: format!("{lo:.2}..{hi:.2}{}", with_errors(errors)),
        // Averages over thousands of requests: a single extra statement anywhere shows.
        met: hi - lo < 0.01 && errors == 0,
    })
}

/// `", N errors"` when there were any: a figure measured on error answers is no
/// measurement.
fn with_errors(errors: u64) -> String {
    if errors == 0 {
        String::new()
    } else {
        format!(" ({errors} errors)")
    }
}

/// S3, S4 and S5 statements per request on the API: the same at every page size and data
/// size, and at most 5.
fn statements(sizes: &[Size]) -> Option<Check> {
    let mut s3 = Vec::new();
    let mut s4 = Vec::new();
    for size in sizes {
        for cell in &size.cells {
            let Some(n) = cell.api.statements_per_request else {
                continue;
            };
            match cell.scenario {
                Scenario::S3 | Scenario::S5(_) => s3.push(n),
                Scenario::S4 => s4.push(n),
                _ => {}
            }
        }
    }
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::MAX, f64::min);
        let hi = v.iter().copied().fold(f64::MIN, f64::max);
        (lo, hi)
    };
    if s3.is_empty() && s4.is_empty() {
        return None;
    }
    let (s3_lo, s3_hi) = range(&s3);
    let (s4_lo, s4_hi) = range(&s4);
    let shown = |v: &[f64], lo: f64, hi: f64| {
        if v.is_empty() {
            "not run".to_owned()
        } else {
            format!("{lo:.2}..{hi:.2}")
        }
    };
    // Averages over thousands of requests: a single extra statement anywhere shows.
    let flat = |lo: f64, hi: f64| hi - lo < 0.01;
    Some(Check {
        what: "SQL statements per request, S3/S5 (every page size) and S4, every data size"
            .to_owned(),
        target: "constant, <= 5 (also enforced by tests/tests/statement_counts.rs)".to_owned(),
        measured: format!(
            "S3/S5 {}, S4 {}",
            shown(&s3, s3_lo, s3_hi),
            shown(&s4, s4_lo, s4_hi)
        ),
        met: !s3.is_empty()
            && !s4.is_empty()
            && flat(s3_lo, s3_hi)
            && flat(s4_lo, s4_hi)
            && s3_hi <= 5.0
            && s4_hi <= 5.0,
    })
}

/// A scenario's p50 on the largest database over the smallest, on the API, at every
/// concurrency.
fn growth(sizes: &[Size], scenario: Scenario) -> Option<Check> {
    let small = sizes.iter().min_by_key(|s| s.qualifications)?;
    let large = sizes.iter().max_by_key(|s| s.qualifications)?;
    if small.qualifications == large.qualifications {
        return None;
    }
    let mut parts = Vec::new();
    let mut worst = f64::MIN;
    let mut errors = 0;
    for cell in small.cells.iter().filter(|c| c.scenario == scenario) {
        let big = size_cell(large, scenario, cell.concurrency)?;
        let ratio = big.api.p50_ms / cell.api.p50_ms.max(1e-9);
        worst = worst.max(ratio);
        errors += cell.api.errors + big.api.errors;
        parts.push(format!("c={}: {ratio:.2}", cell.concurrency));
    }
    if parts.is_empty() {
        return None;
    }
    Some(Check {
        what: format!(
            "{scenario} p50 at {} q. / at {} q., GraphQL",
            large.qualifications, small.qualifications
        ),
        target: format!("<= {MAX_GROWTH}"),
        measured: format!("{}{}", parts.join(", "), with_errors(errors)),
        met: worst <= MAX_GROWTH && errors == 0,
    })
}

/// The most an API key may cost over an access token, per request: S9's server CPU over
/// S3's (the same query for the same reader), at c=16.
const KEY_OVER_TOKEN: f64 = 1.05;

/// "S9 / S3 server CPU per request" for one size, when both ran; not met when either
/// had an error answer (an error costs less than an answer, and says nothing).
fn key_against_token(size: &Size) -> Option<Check> {
    let key = &size_cell(size, Scenario::S9, LOADED)?.api;
    let token = &size_cell(size, Scenario::S3, LOADED)?.api;
    let what = format!(
        "S9 (API key) / S3 (access token) server CPU per request, GraphQL, c={LOADED}, {} q.",
        size.qualifications
    );
    let target = format!("<= {KEY_OVER_TOKEN}, no errors");
    if key.errors + token.errors > 0 {
        return Some(Check {
            what,
            target,
            measured: format!("{} / {} errors", key.errors, token.errors),
            met: false,
        });
    }
    let (key, token) = (
        key.server_cpu_us_per_request?,
        token.server_cpu_us_per_request?,
    );
    let ratio = key / token;
    Some(Check {
        what,
        target,
        measured: format!("{ratio:.2} ({key:.0} µs / {token:.0} µs)"),
        met: ratio <= KEY_OVER_TOKEN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Outcome;

    fn cell(pairs: &[(f64, f64)]) -> Cell {
        let window = |requests_per_second| Outcome {
            requests_per_second,
            ..Outcome::default()
        };
        let baseline: Vec<Outcome> = pairs.iter().map(|p| window(p.0)).collect();
        let api: Vec<Outcome> = pairs.iter().map(|p| window(p.1)).collect();
        Cell::new(Scenario::S2, LOADED, &baseline, &api)
    }

    #[test]
    fn a_ratio_shows_the_spread_of_its_pairs_and_the_ratio_of_medians() {
        let three = cell(&[(100.0, 90.0), (200.0, 170.0), (150.0, 142.5)]);
        assert_eq!(
            measured_ratio(&three),
            "0.90 (3 pairs 0.85..0.95; ratio of medians 0.95)"
        );
        assert_eq!(measured_ratio(&cell(&[(100.0, 91.0)])), "0.91");
    }

    #[test]
    fn the_floor_targets_read_the_cpu_ratio_and_say_when_there_is_no_floor() {
        let cpu = |us| Outcome {
            server_cpu_us_per_request: Some(us),
            ..Outcome::default()
        };
        let api = [cpu(800.0)];
        let cell = Cell::new(Scenario::S3, LOADED, &api, &api).with_floor(&api, &[cpu(100.0)]);
        let size = |database: &str| Size {
            qualifications: 10,
            database: database.to_owned(),
            generation: None,
            cells: vec![cell.clone()],
            storm: Vec::new(),
            locked_log_lines: Vec::new(),
        };
        let shown = |check: Option<Check>| check.map(|c| (c.measured, c.met));
        let sqlite = size("sqlite://q10.db");
        assert_eq!(
            shown(over_floor(&sqlite, Scenario::S3, 2.0)),
            Some(("8.00".to_owned(), false))
        );
        assert_eq!(
            shown(over_floor(&sqlite, Scenario::S3, 8.0)),
            Some(("8.00".to_owned(), true))
        );
        // S2 was not run: nothing to say.
        assert_eq!(shown(over_floor(&sqlite, Scenario::S2, 1.5)), None);
        assert_eq!(
            shown(over_floor(&size("postgres://bench_10"), Scenario::S3, 2.0)),
            Some(("not measured on PostgreSQL".to_owned(), false))
        );
    }

    /// A size whose API cells of `scenario` have these (concurrency, p50 ms, statements).
    fn size_of(n: u64, scenario: Scenario, cells: &[(usize, f64, f64)]) -> Size {
        let cells = cells
            .iter()
            .map(|&(c, p50_ms, statements)| {
                let window = Outcome {
                    p50_us: (p50_ms * 1000.0) as u64,
                    statements_per_request: Some(statements),
                    ..Outcome::default()
                };
                Cell::new(scenario, c, &[], &[window])
            })
            .collect();
        Size {
            qualifications: n,
            database: "sqlite://q.db".to_owned(),
            generation: None,
            cells,
            storm: Vec::new(),
            locked_log_lines: Vec::new(),
        }
    }

    #[test]
    fn a_key_may_cost_at_most_5_percent_over_a_token_and_errors_fail_the_check() {
        let cpu = |us| Outcome {
            server_cpu_us_per_request: Some(us),
            ..Outcome::default()
        };
        let size = |key_us: f64, key_errors: u64| {
            let mut key = Cell::new(Scenario::S9, LOADED, &[], &[cpu(key_us)]);
            key.api.errors = key_errors;
            Size {
                qualifications: 10,
                database: "sqlite://q.db".to_owned(),
                generation: None,
                cells: vec![Cell::new(Scenario::S3, LOADED, &[], &[cpu(600.0)]), key],
                storm: Vec::new(),
                locked_log_lines: Vec::new(),
            }
        };
        let shown = |size: &Size| key_against_token(size).map(|c| (c.measured, c.met));
        assert_eq!(
            shown(&size(630.0, 0)),
            Some(("1.05 (630 µs / 600 µs)".to_owned(), true))
        );
        assert_eq!(
            shown(&size(660.0, 0)),
            Some(("1.10 (660 µs / 600 µs)".to_owned(), false))
        );
        // Refused requests are cheap: they measure nothing, and fail the check.
        assert_eq!(
            shown(&size(60.0, 3)),
            Some(("3 / 0 errors".to_owned(), false))
        );
        // S9 not run: nothing to say.
        let mut alone = size(600.0, 0);
        alone.cells.pop();
        assert_eq!(shown(&alone), None);
    }

    #[test]
    fn the_feedback_scenarios_must_keep_their_statements_at_every_size() {
        let flat = [
            size_of(10_000, Scenario::S6, &[(2, 1.0, 4.0), (16, 2.0, 4.0)]),
            size_of(1_000_000, Scenario::S6, &[(2, 1.1, 4.0), (16, 2.2, 4.0)]),
        ];
        let check = flat_statements(&flat, Scenario::S6);
        assert_eq!(
            check.map(|c| (c.what, c.measured, c.met)),
            Some((
                "S6 SQL statements per request, GraphQL, at 10000 and 1000000 q.".to_owned(),
                "4.00..4.00".to_owned(),
                true
            ))
        );
        // One more statement at the larger size: the count grows with the data.
        let growing = [
            size_of(10_000, Scenario::S7, &[(2, 1.0, 4.0)]),
            size_of(1_000_000, Scenario::S7, &[(2, 1.0, 5.0)]),
        ];
        let check = flat_statements(&growing, Scenario::S7);
        assert_eq!(
            check.map(|c| (c.measured, c.met)),
            Some(("4.00..5.00".to_owned(), false))
        );
        // Not run: nothing to say.
        assert!(flat_statements(&growing, Scenario::S6).is_none());
        // Error answers (the field does not exist yet, say) measure nothing.
        let mut failing = flat.clone();
        failing[1].cells[0].api.errors = 12;
        let check = flat_statements(&failing, Scenario::S6);
        assert_eq!(
            check.map(|c| (c.measured, c.met)),
            Some(("4.00..4.00 (12 errors)".to_owned(), false))
        );
    }

    #[test]
    fn the_feedback_scenarios_p50_may_grow_at_most_1_3_times_at_every_concurrency() {
        let within = [
            size_of(10_000, Scenario::S7, &[(2, 2.0, 4.0), (16, 10.0, 4.0)]),
            size_of(1_000_000, Scenario::S7, &[(2, 2.5, 4.0), (16, 12.0, 4.0)]),
        ];
        let check = growth(&within, Scenario::S7);
        assert_eq!(
            check.map(|c| (c.what, c.target, c.measured, c.met)),
            Some((
                "S7 p50 at 1000000 q. / at 10000 q., GraphQL".to_owned(),
                "<= 1.3".to_owned(),
                "c=2: 1.25, c=16: 1.20".to_owned(),
                true
            ))
        );
        // The worst concurrency decides.
        let beyond = [
            size_of(10_000, Scenario::S6, &[(2, 2.0, 4.0), (64, 40.0, 4.0)]),
            size_of(1_000_000, Scenario::S6, &[(2, 2.0, 4.0), (64, 60.0, 4.0)]),
        ];
        let check = growth(&beyond, Scenario::S6);
        assert_eq!(
            check.map(|c| (c.measured, c.met)),
            Some(("c=2: 1.00, c=64: 1.50".to_owned(), false))
        );
        // One size: no growth to compare.
        assert!(growth(&beyond[..1], Scenario::S6).is_none());
        let mut failing = within.clone();
        failing[0].cells[1].api.errors = 3;
        let check = growth(&failing, Scenario::S7);
        assert_eq!(
            check.map(|c| (c.measured, c.met)),
            Some(("c=2: 1.25, c=16: 1.20 (3 errors)".to_owned(), false))
        );
    }

    #[test]
    fn only_the_cells_a_throughput_target_reads_are_checked() {
        assert!(is_checked(Scenario::S2, LOADED));
        assert!(is_checked(Scenario::S3, LOADED));
        assert!(!is_checked(Scenario::S2, 64));
        assert!(!is_checked(Scenario::S4, LOADED));
    }
}
