//! Results: medians of the repeated runs, the benchmark's targets checked against them, and
//! the JSON and Markdown written from them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::generate;
use crate::load::Outcome;
use crate::machine::{self, Machine};
use crate::run::Settings;
use crate::scenarios::Scenario;
use crate::serve::Kind;

/// Markers around the generated part of `RESULTS.md`; text outside them is kept.
const BEGIN: &str = "<!-- bench:results:begin -->";
const END: &str = "<!-- bench:results:end -->";

/// The medians of repeated timed windows of one scenario on one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub runs: usize,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub server_cpu_us_per_request: Option<f64>,
    pub statements_per_request: Option<f64>,
    /// The database server's CPU per request (PostgreSQL: `database_cpu`).
    #[serde(default)]
    pub database_cpu_us_per_request: Option<f64>,
    /// The most any run saw other databases' backends spend in its window (µs): above 0,
    /// someone else used the database server, and the figure above includes their work.
    #[serde(default)]
    pub database_cpu_elsewhere_us: Option<f64>,
    /// Responses that failed the check, over all runs.
    pub errors: u64,
    pub ok: u64,
    pub error_samples: Vec<String>,
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        f64::midpoint(values[mid - 1], values[mid])
    }
}

impl Summary {
    pub fn of(runs: &[Outcome]) -> Summary {
        let optional = |f: fn(&Outcome) -> Option<f64>| {
            let values: Vec<f64> = runs.iter().filter_map(f).collect();
            (!values.is_empty()).then(|| median(values))
        };
        Summary {
            runs: runs.len(),
            requests_per_second: median(runs.iter().map(|r| r.requests_per_second).collect()),
            p50_ms: median(runs.iter().map(|r| r.p50_us as f64 / 1000.0).collect()),
            p99_ms: median(runs.iter().map(|r| r.p99_us as f64 / 1000.0).collect()),
            server_cpu_us_per_request: optional(|r| r.server_cpu_us_per_request),
            statements_per_request: optional(|r| r.statements_per_request),
            database_cpu_us_per_request: optional(|r| r.database_cpu_us_per_request),
            database_cpu_elsewhere_us: runs
                .iter()
                .filter_map(|r| r.database_cpu_elsewhere_us)
                .reduce(f64::max),
            errors: runs.iter().map(|r| r.errors).sum(),
            ok: runs.iter().map(|r| r.ok).sum(),
            error_samples: runs
                .iter()
                .flat_map(|r| r.error_samples.iter().cloned())
                .take(3)
                .collect(),
        }
    }
}

/// One scenario at one concurrency: baseline and API side by side, and the floor where it
/// answers the scenario. S6, S7 and S8 have no baseline: its summary has no runs, and the
/// ratios are 0.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cell {
    pub scenario: Scenario,
    pub concurrency: usize,
    pub baseline: Summary,
    pub api: Summary,
    /// The median over repeats of API requests/s over the baseline's requests/s in the
    /// window measured next to it. Each pair is measured back to back, so a drift of the
    /// machine's speed over the minutes of a cell (other tenants, the disk) cancels out of
    /// its ratio; a ratio of the two medians would take them from different minutes.
    pub throughput_ratio: f64,
    /// Every pair's ratio, in the order measured.
    #[serde(default)]
    pub paired_ratios: Vec<f64>,
    /// API median requests/s over baseline median requests/s, for comparison.
    #[serde(default)]
    pub ratio_of_medians: f64,
    /// The floor, measured in the same repeats (S2, S3 and S5 on SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
}

/// The floor's medians, and what the API's server CPU costs over it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Floor {
    pub summary: Summary,
    /// The median over repeats of the API's server CPU per request over the floor's in the
    /// window measured next to it (paired, like `Cell::throughput_ratio`).
    pub cpu_ratio: Option<f64>,
    /// Every pair's ratio, in the order measured.
    pub paired_cpu_ratios: Vec<f64>,
    /// The API's median CPU per request over the floor's, for comparison.
    pub cpu_ratio_of_medians: Option<f64>,
}

/// The median of `f(a) / f(b)` over windows measured back to back (`None` without a
/// pair), and every pair's ratio.
pub(crate) fn paired(
    a: &[Outcome],
    b: &[Outcome],
    f: fn(&Outcome) -> Option<f64>,
) -> (Option<f64>, Vec<f64>) {
    let pairs: Vec<f64> = a
        .iter()
        .zip(b)
        .filter_map(|(a, b)| Some(f(a)? / f(b)?.max(1e-9)))
        .collect();
    ((!pairs.is_empty()).then(|| median(pairs.clone())), pairs)
}

impl Cell {
    /// `baseline[i]` and `api[i]` are the two windows of repeat `i`.
    pub fn new(
        scenario: Scenario,
        concurrency: usize,
        baseline: &[Outcome],
        api: &[Outcome],
    ) -> Cell {
        let (throughput_ratio, paired_ratios) =
            paired(api, baseline, |o| Some(o.requests_per_second));
        let baseline = Summary::of(baseline);
        let api = Summary::of(api);
        let ratio_of_medians = if baseline.runs == 0 {
            0.0
        } else {
            api.requests_per_second / baseline.requests_per_second.max(1e-9)
        };
        Cell {
            scenario,
            concurrency,
            baseline,
            api,
            throughput_ratio: throughput_ratio.unwrap_or(0.0),
            paired_ratios,
            ratio_of_medians,
            floor: None,
        }
    }

    /// Whether the baseline was measured (not for S6, S7 and S8).
    pub fn has_baseline(&self) -> bool {
        self.baseline.runs > 0
    }

    /// With the floor's windows: `floor[i]` was measured in repeat `i`, beside `api[i]`.
    pub fn with_floor(mut self, api: &[Outcome], floor: &[Outcome]) -> Cell {
        // A window that served (next to) nothing has no CPU per request to compare: a disk
        // stall can leave one with none, and 0 µs over anything is no measurement.
        let cpu = |o: &Outcome| o.server_cpu_us_per_request.filter(|&us| us > 0.0);
        let (cpu_ratio, paired_cpu_ratios) = paired(api, floor, cpu);
        let summary = Summary::of(floor);
        let cpu_ratio_of_medians = self
            .api
            .server_cpu_us_per_request
            .zip(summary.server_cpu_us_per_request)
            .map(|(a, f)| a / f.max(1e-9));
        self.floor = Some(Floor {
            summary,
            cpu_ratio,
            paired_cpu_ratios,
            cpu_ratio_of_medians,
        });
        self
    }
}

/// S3 at c=16 without and during a storm of 64 concurrent logins, on one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Storm {
    pub server: Kind,
    pub s3_alone: Summary,
    pub s3_during_storm: Summary,
    pub logins: Summary,
    pub p99_ratio: f64,
}

impl Storm {
    pub fn new(server: Kind, alone: Summary, during: Summary, logins: Summary) -> Storm {
        let p99_ratio = during.p99_ms / alone.p99_ms.max(1e-9);
        Storm {
            server,
            s3_alone: alone,
            s3_during_storm: during,
            logins,
            p99_ratio,
        }
    }
}

/// Everything measured on one database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Size {
    pub qualifications: u64,
    pub database: String,
    /// When this run generated the database: how fast.
    pub generation: Option<generate::Report>,
    pub cells: Vec<Cell>,
    pub storm: Vec<Storm>,
    /// Server log lines saying "database is locked", per server.
    #[serde(default)]
    pub locked_log_lines: Vec<(Kind, usize)>,
}

impl Size {
    pub fn check_logs(&mut self, logs: &[(Kind, PathBuf)]) {
        for (kind, path) in logs {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let lines = text
                .lines()
                .filter(|l| l.contains("database is locked"))
                .count();
            self.locked_log_lines.push((*kind, lines));
        }
    }

    fn cell(&self, scenario: Scenario, c: usize) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|cell| cell.scenario == scenario && cell.concurrency == c)
    }
}

/// A target of the benchmark and whether this run met it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    pub what: String,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

/// One run of the harness.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub commit: String,
    pub machine: Machine,
    pub started_at: String,
    pub settings: Settings,
    pub sizes: Vec<Size>,
    pub targets: Vec<Check>,
}

impl Results {
    pub fn new(settings: Settings) -> Results {
        Results {
            commit: machine::commit(),
            machine: Machine::read(),
            started_at: chrono::Utc::now().to_rfc3339(),
            settings,
            sizes: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// Checks every target of the issue against the medians.
    pub fn evaluate(&mut self) {
        self.targets = crate::targets::evaluate(&self.sizes);
    }

    /// Writes the JSON, and the generated part of the Markdown report.
    ///
    /// # Errors
    /// When a file cannot be written.
    pub fn write(&self, json: &Path, markdown: &Path) -> anyhow::Result<()> {
        std::fs::write(json, serde_json::to_string_pretty(self)? + "\n")?;
        let generated = format!("{BEGIN}\n{}{END}", crate::markdown::render(self));
        let existing = std::fs::read_to_string(markdown).unwrap_or_default();
        let text = match (existing.find(BEGIN), existing.find(END)) {
            (Some(b), Some(e)) if b < e => {
                format!(
                    "{}{generated}{}",
                    &existing[..b],
                    &existing[e + END.len()..]
                )
            }
            _ => format!("# Benchmark results\n\n{generated}\n"),
        };
        std::fs::write(markdown, text)?;
        Ok(())
    }
}

pub(crate) fn size_cell(size: &Size, scenario: Scenario, c: usize) -> Option<&Cell> {
    size.cell(scenario, c)
}

/// One line per measured cell, while the run goes on.
pub fn progress_line(cell: &Cell) -> String {
    let mut line = if cell.has_baseline() {
        format!(
            "{:<14} c={:<3} baseline {:>8.0}/s  api {:>8.0}/s  ratio {:.2}  api p99 {:.2} ms  errors {}/{}",
            cell.scenario.to_string(),
            cell.concurrency,
            cell.baseline.requests_per_second,
            cell.api.requests_per_second,
            cell.throughput_ratio,
            cell.api.p99_ms,
            cell.baseline.errors,
            cell.api.errors,
        )
    } else {
        format!(
            "{:<14} c={:<3} no baseline        api {:>8.0}/s              api p99 {:.2} ms  errors {}",
            cell.scenario.to_string(),
            cell.concurrency,
            cell.api.requests_per_second,
            cell.api.p99_ms,
            cell.api.errors,
        )
    };
    if let Some(floor) = &cell.floor {
        line.push_str(&format!(
            "  floor {:.0}/s, errors {}, api CPU/floor {}",
            floor.summary.requests_per_second,
            floor.summary.errors,
            floor
                .cpu_ratio
                .map_or("-".to_owned(), |r| format!("{r:.2}")),
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(requests_per_second: f64) -> Outcome {
        Outcome {
            requests_per_second,
            ..Outcome::default()
        }
    }

    #[test]
    fn the_ratio_pairs_windows_measured_back_to_back() {
        // The machine slows down in the second repeat and speeds up in the third; each
        // pair still says the API does 0.85 to 0.95 of the baseline.
        let baseline = [window(100.0), window(200.0), window(150.0)];
        let api = [window(90.0), window(170.0), window(142.5)];
        let cell = Cell::new(Scenario::S2, 16, &baseline, &api);
        let rounded: Vec<f64> = cell
            .paired_ratios
            .iter()
            .map(|r| (r * 100.0).round() / 100.0)
            .collect();
        assert_eq!(rounded, [0.9, 0.85, 0.95]);
        assert!((cell.throughput_ratio - 0.9).abs() < 1e-9);
        // The medians come from different repeats: 142.5 / 150.
        assert!((cell.ratio_of_medians - 0.95).abs() < 1e-9);
        assert!((cell.baseline.requests_per_second - 150.0).abs() < 1e-9);
        assert!(cell.floor.is_none());
    }

    #[test]
    fn a_cell_without_the_baseline_has_no_ratio() {
        let cell = Cell::new(Scenario::S6, 16, &[], &[window(500.0)]);
        assert!(!cell.has_baseline());
        assert_eq!(cell.baseline.runs, 0);
        assert!(cell.paired_ratios.is_empty());
        assert!(cell.throughput_ratio.abs() < 1e-9);
        assert!(cell.ratio_of_medians.abs() < 1e-9);
        assert!((cell.api.requests_per_second - 500.0).abs() < 1e-9);
        assert!(progress_line(&cell).contains("no baseline"));
    }

    #[test]
    fn the_floor_ratio_pairs_the_apis_cpu_with_the_floors_in_the_same_repeat() {
        let cpu = |us| Outcome {
            server_cpu_us_per_request: Some(us),
            ..Outcome::default()
        };
        // The machine is twice as slow in the second repeat: each pair still says 8.
        let api = [cpu(800.0), cpu(1600.0), cpu(900.0)];
        let floor = [cpu(100.0), cpu(200.0), cpu(90.0)];
        let cell = Cell::new(Scenario::S3, 16, &api, &api).with_floor(&api, &floor);
        let floor = cell.floor.unwrap_or_else(|| panic!("no floor"));
        assert_eq!(floor.paired_cpu_ratios, [8.0, 8.0, 10.0]);
        assert_eq!(floor.cpu_ratio, Some(8.0));
        assert_eq!(floor.cpu_ratio_of_medians, Some(9.0));
        assert_eq!(floor.summary.server_cpu_us_per_request, Some(100.0));
        // Without CPU figures (no server pid, or an empty window), no ratio.
        let blind = Cell::new(Scenario::S3, 16, &api, &api).with_floor(&api, &[Outcome::default()]);
        assert_eq!(blind.floor.and_then(|f| f.cpu_ratio), None);
        let stalled = [cpu(0.0), cpu(200.0), cpu(90.0)];
        let cell = Cell::new(Scenario::S2, 16, &api, &api).with_floor(&api, &stalled);
        let floor = cell.floor.unwrap_or_else(|| panic!("no floor"));
        assert_eq!(floor.paired_cpu_ratios, [8.0, 10.0]);
    }
}
