//! The generated part of `bench/RESULTS.md`.

use std::fmt::Write;

use crate::report::{Cell, Results, Summary};

fn opt(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

/// One figure of the baseline, the API and the floor: `b / a / f`, `-` where the baseline
/// or the floor does not answer the scenario.
fn servers(c: &Cell, f: impl Fn(&Summary) -> Option<f64>, digits: usize) -> String {
    let floor = c.floor.as_ref().and_then(|floor| f(&floor.summary));
    let baseline = if c.has_baseline() {
        f(&c.baseline)
    } else {
        None
    };
    format!(
        "{} / {} / {}",
        opt(baseline, digits),
        opt(f(&c.api), digits),
        opt(floor, digits)
    )
}

pub fn render(r: &Results) -> String {
    let mut out = String::new();
    let s = &r.settings;
    let _ = writeln!(out, "Run of {} on commit `{}`.\n", r.started_at, r.commit);
    let _ = writeln!(
        out,
        "Machine: {} ({} cores, {} MiB, Linux {}). Server pinned to core {}, load to core {}; \
         {} s warm-up then {} s timed, {} repeats ({} for S2 and S3 at c=16, which the \
         throughput targets read), medians. Each repeat measures the servers back to back \
         (which goes first rotates); a ratio is the median of the repeats' ratios.\n",
        r.machine.cpu,
        r.machine.cores,
        r.machine.memory_mib,
        r.machine.kernel,
        s.server_core,
        s.load_core,
        s.warmup_secs,
        s.duration_secs,
        s.repeats,
        s.target_cell_repeats()
    );
    for size in &r.sizes {
        let _ = writeln!(
            out,
            "### {} qualifications ({})\n",
            size.qualifications, size.database
        );
        if let Some(g) = &size.generation {
            let _ = writeln!(
                out,
                "Generated in this run: {} rows ({} qualifications, {} prospects, {} decisions, \
                 {} users, {} clients of which {} exceptions and {} ended, {} outcome entries) \
                 in {:.1} s = {:.0} rows/s.\n",
                g.rows,
                g.qualifications,
                g.prospects,
                g.decisions,
                g.users,
                g.clients,
                g.exceptions,
                g.ended,
                g.outcome_entries,
                g.seconds,
                g.rows_per_second
            );
        }
        out.push_str(
            "Each figure is baseline / GraphQL / floor (medians; the floor answers S2, S3 and S5 \
             on SQLite, `-` elsewhere; the feedback loop's S6 and S7, the dashboard's S8 and S9 (S3 through an API key) have no baseline, `-`). \
             `ratio` = GraphQL req/s over baseline req/s; `CPU over floor` = GraphQL server CPU \
             per request over the floor's; each the median of the repeats' ratios.\n\n\
             | scenario | c | req/s | ratio | p50 ms | p99 ms | server CPU µs/req | CPU over floor | SQL/req | errors |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
        );
        for c in &size.cells {
            let errors = |s: &Summary| Some(s.errors as f64);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.scenario,
                c.concurrency,
                servers(c, |s| Some(s.requests_per_second), 0),
                if c.has_baseline() {
                    format!("{:.2}", c.throughput_ratio)
                } else {
                    "-".to_owned()
                },
                servers(c, |s| Some(s.p50_ms), 2),
                servers(c, |s| Some(s.p99_ms), 2),
                servers(c, |s| s.server_cpu_us_per_request, 0),
                opt(c.floor.as_ref().and_then(|f| f.cpu_ratio), 2),
                servers(c, |s| s.statements_per_request, 2),
                servers(c, errors, 0),
            );
        }
        out.push_str(
            "\nLogin storm: S3 at c=16 alone, and while 64 connections log in back to back.\n\n\
             | server | S3 p99 alone ms | S3 p99 in storm ms | ratio | S3 req/s alone / in storm | logins/s | login p99 ms | errors |\n\
             |---|---|---|---|---|---|---|---|\n",
        );
        for st in &size.storm {
            let _ = writeln!(
                out,
                "| {:?} | {:.2} | {:.2} | {:.2} | {:.0} / {:.0} | {:.1} | {:.0} | {} |",
                st.server,
                st.s3_alone.p99_ms,
                st.s3_during_storm.p99_ms,
                st.p99_ratio,
                st.s3_alone.requests_per_second,
                st.s3_during_storm.requests_per_second,
                st.logins.requests_per_second,
                st.logins.p99_ms,
                st.s3_alone.errors + st.s3_during_storm.errors + st.logins.errors,
            );
        }
        let samples: Vec<&String> = size
            .cells
            .iter()
            .flat_map(|c| {
                let floor = c.floor.iter().flat_map(|f| &f.summary.error_samples);
                c.baseline
                    .error_samples
                    .iter()
                    .chain(&c.api.error_samples)
                    .chain(floor)
            })
            .take(3)
            .collect();
        if !samples.is_empty() {
            out.push_str("\nFirst errors seen:\n\n");
            for e in samples {
                let _ = writeln!(out, "    {e}");
            }
        }
        out.push('\n');
    }
    out.push_str("### Targets\n\n| what | target | measured | met |\n|---|---|---|---|\n");
    for t in &r.targets {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            t.what,
            t.target,
            t.measured,
            if t.met { "yes" } else { "**no**" }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Outcome;
    use crate::scenarios::Scenario;

    fn window(requests_per_second: f64, cpu: f64) -> Outcome {
        Outcome {
            requests_per_second,
            server_cpu_us_per_request: Some(cpu),
            ..Outcome::default()
        }
    }

    #[test]
    fn a_figure_shows_the_floor_beside_the_baseline_and_graphql_or_a_dash() {
        let baseline = [window(100.0, 1000.0)];
        let api = [window(80.0, 1200.0)];
        let floored =
            Cell::new(Scenario::S3, 16, &baseline, &api).with_floor(&api, &[window(900.0, 150.0)]);
        let cpu = |s: &Summary| s.server_cpu_us_per_request;
        assert_eq!(servers(&floored, cpu, 0), "1000 / 1200 / 150");
        assert_eq!(
            opt(floored.floor.as_ref().and_then(|f| f.cpu_ratio), 2),
            "8.00"
        );
        let alone = Cell::new(Scenario::S0, 16, &baseline, &api);
        assert_eq!(servers(&alone, cpu, 0), "1000 / 1200 / -");
        let api_only = Cell::new(Scenario::S6, 16, &[], &api);
        assert_eq!(servers(&api_only, cpu, 0), "- / 1200 / -");
        let errors = |s: &Summary| Some(s.errors as f64);
        assert_eq!(servers(&api_only, errors, 0), "- / 0 / -");
    }
}
