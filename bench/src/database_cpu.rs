//! The CPU time of the database server: every process whose command name is `postgres`
//! (the postmaster, its background processes and one backend per connection), read from
//! `/proc` by `bench load` at the same barriers as the API's CPU time.
//!
//! The API process's CPU per request says nothing of the database's share of a request on
//! PostgreSQL, and on a machine of two cores that share decides where adding API instances
//! stops paying (docs/SCALING.md). The figure is the whole server's: another database's
//! traffic in the window counts too, so the live backends of other databases are tallied
//! apart, and a window where they worked is polluted.

use serde::{Deserialize, Serialize};

/// Which server to read: the processes of command `comm`, serving `database`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    pub comm: String,
    pub database: String,
}

impl Probe {
    /// For a `postgres://` or `postgresql://` URL: its database's name. `None` for SQLite,
    /// whose work happens inside the API's process and is in its CPU time already.
    pub fn for_url(url: &str) -> Option<Probe> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))?;
        let database = rest.split_once('/')?.1.split('?').next()?;
        (!database.is_empty()).then(|| Probe {
            comm: "postgres".to_owned(),
            database: database.to_owned(),
        })
    }
}

/// One process of the server at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    /// utime + stime + cutime + cstime, in clock ticks.
    pub ticks: u64,
    /// The database a backend serves, from its process title; `None` for the others.
    pub database: Option<String>,
}

/// What the server spent between two readings, in clock ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub ticks: u64,
    /// Of which backends of other databases that were alive at the second reading (a
    /// lower bound: one that connected and left in between is in the postmaster's
    /// children's time, unattributed).
    pub elsewhere_ticks: u64,
}

/// The command name and CPU ticks of one `/proc/<pid>/stat` line. The children's time
/// (cutime, cstime: fields 16 and 17) is counted with the process's own (fields 14 and
/// 15): a backend that exits in the window moves its time into the postmaster's children's
/// time, so the sum over the server's processes only grows, and a difference of two sums
/// loses no backend that came or went.
pub fn parse_stat(stat: &str) -> Option<(&str, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?;
    let fields: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    let ticks = (11..=14)
        .map(|i| fields.get(i)?.parse::<u64>().ok())
        .sum::<Option<u64>>()?;
    Some((comm, ticks))
}

/// The database of a PostgreSQL backend from its process title (`/proc/<pid>/cmdline`,
/// NULs as spaces): `postgres: [cluster: ]user database host(port) activity`, the host
/// being `[local]` on a Unix socket. `None` for the postmaster and the background
/// processes (`postgres: 15/main: walwriter`, `... autovacuum worker bench_10000`).
pub fn backend_database(title: &str) -> Option<&str> {
    let rest = title.trim().strip_prefix("postgres: ")?;
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    // Debian names the cluster first (`cluster_name`, e.g. `15/main:`).
    if words.first().is_some_and(|w| w.ends_with(':')) {
        words.remove(0);
    }
    match words.as_slice() {
        [_user, database, host, ..] if host.ends_with(')') || *host == "[local]" => Some(*database),
        _ => None,
    }
}

/// Every live process of the server now.
pub fn read(probe: &Probe) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| process(pid, &probe.comm))
        .collect()
}

/// One process, if it is still there and its command is `comm`.
fn process(pid: u32, comm: &str) -> Option<Process> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (name, ticks) = parse_stat(&stat)?;
    if name != comm {
        return None;
    }
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let title = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    Some(Process {
        pid,
        ticks,
        database: backend_database(&title).map(str::to_owned),
    })
}

/// What the server spent from `before` to `after`, and how much of it backends of
/// databases other than `ours` did.
pub fn usage(before: &[Process], after: &[Process], ours: &str) -> Usage {
    let total = |ps: &[Process]| ps.iter().map(|p| p.ticks).sum::<u64>();
    let elsewhere_ticks = after
        .iter()
        .filter(|p| p.database.as_deref().is_some_and(|d| d != ours))
        .map(|p| {
            let earlier = before
                .iter()
                .find(|b| b.pid == p.pid)
                .map_or(0, |b| b.ticks);
            p.ticks.saturating_sub(earlier)
        })
        .sum();
    Usage {
        ticks: total(after).saturating_sub(total(before)),
        elsewhere_ticks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_the_command_and_own_plus_children_ticks() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime stime cutime cstime ...
        let postmaster = "2235 (postgres) S 1 2235 2235 0 -1 4194560 5000 900000 0 10 \
                          120 80 4000 1500 20 0 1 0 4242 229113856 7000";
        assert_eq!(
            parse_stat(postmaster),
            Some(("postgres", 120 + 80 + 4000 + 1500))
        );
        // The name is whatever stands between the first `(` and the last `)`.
        let odd = "77 (a) b) R 1 77 77 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1";
        assert_eq!(parse_stat(odd), Some(("a) b", 7)));
        assert_eq!(parse_stat("12 (postgres) S 1"), None);
    }

    #[test]
    fn a_backend_title_names_its_database_and_the_others_none() {
        let cases = [
            (
                "postgres: 15/main: postgres bench_10000 127.0.0.1(45678) idle",
                Some("bench_10000"),
            ),
            ("postgres: app qualify [local] SELECT", Some("qualify")),
            (
                "postgres: 15/main: postgres bench_10000 127.0.0.1(45678) idle in transaction   ",
                Some("bench_10000"),
            ),
            ("postgres: 15/main: checkpointer ", None),
            ("postgres: 15/main: autovacuum worker bench_10000", None),
            ("postgres: logical replication launcher", None),
            (
                "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main",
                None,
            ),
        ];
        for (title, database) in cases {
            assert_eq!(backend_database(title), database, "{title}");
        }
    }

    #[test]
    fn usage_keeps_backends_that_left_and_tallies_other_databases() {
        let p = |pid, ticks, database: Option<&str>| Process {
            pid,
            ticks,
            database: database.map(str::to_owned),
        };
        let before = [
            p(1, 1_000, None),
            p(2, 50, Some("bench_10000")),
            p(3, 10, Some("other")),
        ];
        // Backend 2 left after 20 more ticks: its 70 moved into the postmaster's children's
        // time. 4 is new (ours), 5 is new and another database's.
        let after = [
            p(1, 1_070, None),
            p(3, 25, Some("other")),
            p(4, 30, Some("bench_10000")),
            p(5, 5, Some("tests")),
        ];
        let used = usage(&before, &after, "bench_10000");
        assert_eq!(used.ticks, 1_130 - 1_060);
        assert_eq!(used.elsewhere_ticks, 15 + 5);
    }

    #[test]
    fn only_postgres_urls_have_a_probe() {
        let probe =
            Probe::for_url("postgres://postgres@127.0.0.1:5432/bench_10000?sslmode=disable");
        assert_eq!(probe.map(|p| p.database), Some("bench_10000".to_owned()));
        let probe = Probe::for_url("postgresql://u:p@db/qualify");
        assert_eq!(
            probe.map(|p| (p.comm, p.database)),
            Some(("postgres".into(), "qualify".into()))
        );
        assert_eq!(
            Probe::for_url("sqlite://target/bench/q10000.db?mode=rwc"),
            None
        );
        assert_eq!(Probe::for_url("postgres://postgres@127.0.0.1:5432"), None);
    }
}
