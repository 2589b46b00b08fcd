//! The shape of the generated feedback loop: what a client taken on earns month by month,
//! how much of its work is custom work, how the mentee feels about it, and whether it ended.
//!
//! The method's claim is that A-clients bring most of the revenue and that a client taken
//! on against a DECLINE verdict costs more than it pays; the generated outcomes hold it
//! roughly, with noise, so that the Pareto picture, the calibration and the cost of
//! exceptions have realistic figures to compute (RESULTS.md, "How it measures"):
//!
//! - a client's typical monthly revenue is log-normal around its group's median (a heavy
//!   tail: a few clients of every group earn several times the median), and each month
//!   varies log-normally around it; now and then a month brings nothing;
//! - A earns clearly more than B, B more than C, exceptions least;
//! - the weaker the intake, the more of the hours go to custom work and the lower the
//!   mentee's energy;
//! - about one client in ten has ended, more often and more often early (we exited, or the
//!   client left) the weaker the intake.
//!
//! Pure functions of an RNG, so that the world stays deterministic from the seed.

use domain::{EndReason, Path, Tier};
use rand::Rng;
use rand::rngs::StdRng;

/// The groups whose outcomes differ: the intake tier on the rule's path, or an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    A,
    B,
    C,
    Exception,
}

impl Group {
    pub fn of(tier: Tier, path: Path) -> Group {
        match (path, tier) {
            (Path::Exception, _) => Group::Exception,
            (Path::Rule, Tier::A) => Group::A,
            (Path::Rule, Tier::B) => Group::B,
            (Path::Rule, Tier::C) => Group::C,
        }
    }

    fn shape(self) -> Shape {
        match self {
            Group::A => Shape {
                median_minor: 400_000.0,
                hours: (800, 2_500),
                custom_bp: (300, 1_500),
                energy: 4.2,
                ends_per_mille: 80,
                early_per_cent: 35,
            },
            Group::B => Shape {
                median_minor: 200_000.0,
                hours: (1_000, 3_000),
                custom_bp: (1_000, 3_000),
                energy: 3.5,
                ends_per_mille: 120,
                early_per_cent: 55,
            },
            Group::C => Shape {
                median_minor: 100_000.0,
                hours: (1_200, 3_500),
                custom_bp: (2_500, 5_000),
                energy: 2.8,
                ends_per_mille: 180,
                early_per_cent: 75,
            },
            Group::Exception => Shape {
                median_minor: 70_000.0,
                hours: (1_500, 4_000),
                custom_bp: (4_000, 7_000),
                energy: 2.2,
                ends_per_mille: 280,
                early_per_cent: 85,
            },
        }
    }
}

/// How a group's clients do.
struct Shape {
    /// The median of the clients' typical monthly revenue, in minor units (EUR cents).
    median_minor: f64,
    /// Hours a month, in hundredths: uniform in this range.
    hours: (u32, u32),
    /// The custom-work share of those hours, in basis points: uniform in this range.
    custom_bp: (u32, u32),
    /// The mean energy, 1..=5.
    energy: f64,
    /// Clients that have ended, per mille.
    ends_per_mille: u32,
    /// Of those, the share that ended early (we exited or the client left), per cent.
    early_per_cent: u32,
}

/// The spread of clients' typical revenue around the median (log-normal sigma): the 90th
/// percentile client earns 4.7 times the median one, and a group's mean is twice its
/// median.
const CLIENT_SIGMA: f64 = 1.2;
/// The spread of a month around the client's typical revenue.
const MONTH_SIGMA: f64 = 0.35;
/// Months without revenue (paused work), per cent.
const EMPTY_MONTHS_PER_CENT: u32 = 4;
/// Months without hours recorded, per cent.
const NO_HOURS_PER_CENT: u32 = 5;

/// A standard normal draw (Box-Muller; one of the pair is enough here).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A client's typical monthly revenue, in minor units.
pub fn typical_revenue(group: Group, rng: &mut StdRng) -> f64 {
    group.shape().median_minor * (CLIENT_SIGMA * normal(rng)).exp()
}

/// One month of a client's outcome, as the entry stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    pub revenue_minor: i64,
    /// Hundredths of hours; `None` when not recorded (then no custom hours either).
    pub hours: Option<u32>,
    pub custom_hours: Option<u32>,
    pub energy: u32,
}

/// A month of a client whose typical monthly revenue is `typical`.
pub fn month(group: Group, typical: f64, rng: &mut StdRng) -> MonthFigures {
    let shape = group.shape();
    let revenue = if rng.random_ratio(EMPTY_MONTHS_PER_CENT, 100) {
        0.0
    } else {
        typical * (MONTH_SIGMA * normal(rng)).exp()
    };
    // Whole euros, as people type them; never above what the domain accepts.
    let revenue_minor = ((revenue / 100.0).round() * 100.0).clamp(0.0, 1e12) as i64;
    let (hours, custom_hours) = if rng.random_ratio(NO_HOURS_PER_CENT, 100) {
        (None, None)
    } else {
        // Quarter hours.
        let hours = rng.random_range(shape.hours.0..=shape.hours.1) / 25 * 25;
        let share = rng.random_range(shape.custom_bp.0..=shape.custom_bp.1);
        let custom = hours * share / 10_000 / 25 * 25;
        (Some(hours), Some(custom))
    };
    let energy = (shape.energy + 0.7 * normal(rng)).round().clamp(1.0, 5.0) as u32;
    MonthFigures {
        revenue_minor,
        hours,
        custom_hours,
        energy,
    }
}

/// Whether a client of `group` has ended, and why.
pub fn end(group: Group, rng: &mut StdRng) -> Option<EndReason> {
    let shape = group.shape();
    if !rng.random_ratio(shape.ends_per_mille, 1_000) {
        return None;
    }
    Some(if !rng.random_ratio(shape.early_per_cent, 100) {
        EndReason::Completed
    } else if rng.random_ratio(1, 2) {
        EndReason::WeExited
    } else {
        EndReason::ClientLeft
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    const GROUPS: [Group; 4] = [Group::A, Group::B, Group::C, Group::Exception];

    /// Per group, over many clients of a year each: mean monthly revenue, custom share
    /// (bp), mean energy, ended per mille.
    fn sample(group: Group) -> (f64, f64, f64, f64) {
        let mut rng = StdRng::seed_from_u64(3);
        let (mut revenue, mut months, mut hours, mut custom, mut energy, mut ended) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        let clients = 4_000;
        for _ in 0..clients {
            let typical = typical_revenue(group, &mut rng);
            for _ in 0..12 {
                let m = month(group, typical, &mut rng);
                assert!((1..=5).contains(&m.energy));
                assert!(m.revenue_minor >= 0);
                assert!(m.custom_hours <= m.hours);
                assert!(m.hours.is_none_or(|h| h <= domain::MAX_HOURS_HUNDREDTHS));
                assert_eq!(m.hours.is_some(), m.custom_hours.is_some());
                revenue += m.revenue_minor as f64;
                months += 1.0;
                hours += f64::from(m.hours.unwrap_or(0));
                custom += f64::from(m.custom_hours.unwrap_or(0));
                energy += f64::from(m.energy);
            }
            ended += f64::from(u8::from(end(group, &mut rng).is_some()));
        }
        (
            revenue / months,
            custom * 10_000.0 / hours,
            energy / months,
            ended * 1_000.0 / f64::from(clients),
        )
    }

    #[test]
    fn the_weaker_the_intake_the_less_revenue_the_more_custom_work_and_the_less_energy() {
        let figures = GROUPS.map(sample);
        for pair in figures.windows(2) {
            let (stronger, weaker) = (pair[0], pair[1]);
            assert!(stronger.0 > weaker.0, "revenue {figures:?}");
            assert!(stronger.1 < weaker.1, "custom share {figures:?}");
            assert!(stronger.2 > weaker.2, "energy {figures:?}");
            assert!(stronger.3 < weaker.3, "ended {figures:?}");
        }
        // A earns clearly more: nearly twice B's mean.
        assert!(figures[0].0 > 1.8 * figures[1].0, "{figures:?}");
    }

    #[test]
    fn revenue_is_heavy_tailed() {
        // The top fifth of clients brings well over half of a group's revenue.
        let mut rng = StdRng::seed_from_u64(5);
        let mut typical: Vec<f64> = (0..5_000)
            .map(|_| typical_revenue(Group::A, &mut rng))
            .collect();
        typical.sort_by(|a, b| b.total_cmp(a));
        let total: f64 = typical.iter().sum();
        let top: f64 = typical[..1_000].iter().sum();
        assert!(top / total > 0.5, "{}", top / total);
        let mean = total / 5_000.0;
        let median = typical[2_500];
        assert!(mean > 1.4 * median, "{mean} {median}");
    }

    #[test]
    fn the_same_seed_gives_the_same_outcomes() {
        let draw = || {
            let mut rng = StdRng::seed_from_u64(11);
            let typical = typical_revenue(Group::B, &mut rng);
            (0..12)
                .map(|_| month(Group::B, typical, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(), draw());
    }

    #[test]
    fn an_exception_is_its_own_group_whatever_its_tier() {
        assert_eq!(Group::of(Tier::A, Path::Exception), Group::Exception);
        assert_eq!(Group::of(Tier::C, Path::Exception), Group::Exception);
        assert_eq!(Group::of(Tier::B, Path::Rule), Group::B);
    }
}
