//! The benchmark's targets, checked against a run's medians.

use crate::report::{Cell, Check, Size, size_cell};
use crate::scenarios::Scenario;
use crate::serve::Kind;

const LOADED: usize = 16;

/// The throughput targets and their minimum ratio.
const THROUGHPUT: [(Scenario, f64); 2] = [(Scenario::S3, 0.8), (Scenario::S2, 0.9)];

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
    if let Some(check) = statements(sizes) {
        checks.push(check);
    }
    if let Some(check) = growth(sizes) {
        checks.push(check);
    }
    checks
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

/// S3 p50 on the largest database over the smallest, on the API, at every concurrency.
fn growth(sizes: &[Size]) -> Option<Check> {
    let small = sizes.iter().min_by_key(|s| s.qualifications)?;
    let large = sizes.iter().max_by_key(|s| s.qualifications)?;
    if small.qualifications == large.qualifications {
        return None;
    }
    let mut parts = Vec::new();
    let mut worst = f64::MIN;
    for cell in small.cells.iter().filter(|c| c.scenario == Scenario::S3) {
        let big = size_cell(large, Scenario::S3, cell.concurrency)?;
        let ratio = big.api.p50_ms / cell.api.p50_ms.max(1e-9);
        worst = worst.max(ratio);
        parts.push(format!("c={}: {ratio:.2}", cell.concurrency));
    }
    if parts.is_empty() {
        return None;
    }
    Some(Check {
        what: format!(
            "S3 p50 at {} q. / at {} q., GraphQL",
            large.qualifications, small.qualifications
        ),
        target: "<= 1.3".to_owned(),
        measured: parts.join(", "),
        met: worst <= 1.3,
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

    #[test]
    fn only_the_cells_a_throughput_target_reads_are_checked() {
        assert!(is_checked(Scenario::S2, LOADED));
        assert!(is_checked(Scenario::S3, LOADED));
        assert!(!is_checked(Scenario::S2, 64));
        assert!(!is_checked(Scenario::S4, LOADED));
    }
}
