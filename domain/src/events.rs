//! Events: what integrations are told (webhooks and subscriptions alike), who may be told,
//! when a failed delivery is tried again, and which destinations a webhook may not reach.
//!
//! An event names the people it concerns: the mentor of its program (or the template's
//! owner) and the mentee whose data it is. Only they are told, as only they may read the
//! objects it names (`policy`'s read lines for prospects, their qualifications, decisions,
//! exception requests and outcome entries; a template for its owner).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use uuid::Uuid;

/// What happened. The wire name (`prospect.qualified`) is what webhooks send as `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    ProspectCreated,
    ProspectQualified,
    ProspectDecided,
    ExceptionRequested,
    ExceptionReviewed,
    OutcomeRecorded,
    TemplatePublished,
    MenteeJoined,
    MenteeRemoved,
    RequalificationOverdue,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        EventType::ProspectCreated,
        EventType::ProspectQualified,
        EventType::ProspectDecided,
        EventType::ExceptionRequested,
        EventType::ExceptionReviewed,
        EventType::OutcomeRecorded,
        EventType::TemplatePublished,
        EventType::MenteeJoined,
        EventType::MenteeRemoved,
        EventType::RequalificationOverdue,
    ];

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            EventType::ProspectCreated => "prospect.created",
            EventType::ProspectQualified => "prospect.qualified",
            EventType::ProspectDecided => "prospect.decided",
            EventType::ExceptionRequested => "exception.requested",
            EventType::ExceptionReviewed => "exception.reviewed",
            EventType::OutcomeRecorded => "outcome.recorded",
            EventType::TemplatePublished => "template.published",
            EventType::MenteeJoined => "mentee.joined",
            EventType::MenteeRemoved => "mentee.removed",
            EventType::RequalificationOverdue => "requalification.overdue",
        }
    }

    /// The type with this wire name.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Whom an event concerns: only they are told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Audience {
    /// The program of the objects it names, if any.
    pub program_id: Option<Uuid>,
    /// The mentor who runs that program, or the owner of the template it names.
    pub mentor_id: Option<Uuid>,
    /// The mentee whose data it is.
    pub subject_id: Option<Uuid>,
}

impl Audience {
    /// Whether `user` may be told: the mentor or the mentee it concerns. A mentor keeps
    /// seeing a removed mentee's objects and a mentee their own, as the read lines say.
    pub fn includes(&self, user: Uuid) -> bool {
        self.mentor_id == Some(user) || self.subject_id == Some(user)
    }

    /// [`Audience::includes`], for a caller narrowed to one program (an API key's): the
    /// event must also be about that program.
    pub fn includes_within(&self, user: Uuid, program: Option<Uuid>) -> bool {
        self.includes(user) && program.is_none_or(|p| self.program_id == Some(p))
    }
}

/// When the attempts after the first are made, after the one before (the Standard
/// Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 28 hours in all),
/// in units of the operator's base (5 s by default).
pub const RETRY_STEPS: [u32; 7] = [1, 60, 360, 1_440, 3_600, 7_200, 7_200];

/// How long to wait before attempt `attempts + 1` after `attempts` failed ones, with
/// `jitter` in `[0, 1)` spreading it over ±20 %; `None` once the schedule is spent (the
/// delivery has failed for good).
pub fn retry_delay(attempts: u32, base: Duration, jitter: f64) -> Option<Duration> {
    let step = *RETRY_STEPS.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    let plain = base.saturating_mul(step);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Some(plain.mul_f64(factor))
}

/// The attempts a delivery gets in all: the first and one per step.
pub const MAX_ATTEMPTS: u32 = RETRY_STEPS.len() as u32 + 1;

/// Why an address may not be a webhook's destination: it reaches the server's own
/// machine, its private network or a cloud's metadata service (server-side request
/// forgery), or no host at all.
pub fn forbidden_destination(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            forbidden_v6(v6)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address (cloud metadata included)")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified address")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("a multicast, broadcast or reserved address")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking address")
    } else if a == 192 && b == 0 && ip.octets()[2] == 0 {
        Some("a protocol-assignment address")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if let Some(v4) = embedded_v4(ip) {
        forbidden_v4(v4)
    } else {
        None
    }
}

/// The IPv4 address inside a NAT64 (`64:ff9b::/96`) or IPv4-compatible address, which
/// reach that IPv4 host.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new(
        (s[6] >> 8) as u8,
        (s[6] & 0xff) as u8,
        (s[7] >> 8) as u8,
        (s[7] & 0xff) as u8,
    );
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4];
    let compatible = s[..6] == [0; 6];
    (nat64 || compatible).then_some(tail)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_wire_name_that_parses_back() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.name()), Some(t));
        }
        assert_eq!(EventType::parse("prospect.deleted"), None);
    }

    #[test]
    fn an_event_concerns_its_mentor_and_its_mentee_only() {
        let (mentor, mentee, other, program) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(9),
        );
        let audience = Audience {
            program_id: Some(program),
            mentor_id: Some(mentor),
            subject_id: Some(mentee),
        };
        assert!(audience.includes(mentor) && audience.includes(mentee));
        assert!(!audience.includes(other));
        assert!(audience.includes_within(mentee, Some(program)));
        assert!(!audience.includes_within(mentee, Some(Uuid::from_u128(8))));
        assert!(!Audience::default().includes(mentor));
    }

    #[test]
    fn retries_follow_the_schedule_within_twenty_percent_then_stop() {
        let base = Duration::from_secs(5);
        assert_eq!(retry_delay(0, base, 0.5), None);
        assert_eq!(retry_delay(1, base, 0.5), Some(Duration::from_secs(5)));
        assert_eq!(retry_delay(2, base, 0.0), Some(Duration::from_secs(240)));
        assert_eq!(retry_delay(2, base, 1.0), Some(Duration::from_secs(360)));
        assert_eq!(retry_delay(7, base, 0.5), Some(Duration::from_secs(36_000)));
        assert_eq!(retry_delay(8, base, 0.5), None);
        assert_eq!(MAX_ATTEMPTS, 8);
        let total: u32 = RETRY_STEPS.iter().sum::<u32>() * 5;
        assert!((86_400..=36 * 3_600).contains(&total), "{total} s");
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_refused() {
        let refused = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
        ];
        for ip in refused {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(forbidden_destination(parsed).is_some(), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(forbidden_destination(parsed), None, "{ip}");
        }
    }
}
