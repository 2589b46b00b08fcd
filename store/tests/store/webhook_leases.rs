//! Webhook leases: a leased delivery is no other worker's until its lease ends or every
//! lease is released (as a SQLite server does at start, for a process that was killed);
//! the dead worker's late answer then changes nothing.

use chrono::{Duration, Utc};
use store::users::Role;
use store::webhooks::delivery::{
    AttemptResult, lease_due, record_attempts, release_all_leases, release_leases,
};
use store::webhooks::{Delivery, DeliveryState, delivery_of};
use uuid::Uuid;

use crate::support::{fresh_db, user, webhook_delivery, webhook_endpoint};

#[tokio::test]
async fn released_leases_are_due_again_and_the_dead_workers_answer_is_ignored() {
    let (db, _guard) = fresh_db().await;
    let owner = user(&db, Role::Mentor).await;
    let now = Utc::now();
    let endpoint = webhook_endpoint(&db, owner.id, now).await;
    let (_, delivery) =
        webhook_delivery(&db, owner.id, endpoint, ("pending", 0), "{\"n\":1}", now).await;

    let until = now + Duration::seconds(60);
    let dead = lease_due(&db, "dead", now, until, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].delivery_id, delivery);
    assert_eq!(dead[0].body, "{\"n\":1}");
    assert!(
        lease_due(&db, "alive", now, until, 10)
            .await
            .unwrap()
            .is_empty(),
        "a live lease is no other worker's"
    );

    assert_eq!(release_all_leases(&db).await.unwrap(), 1);
    assert_eq!(release_all_leases(&db).await.unwrap(), 0, "nothing left");
    let alive = lease_due(&db, "alive", now, until, 10).await.unwrap();
    assert_eq!(alive.len(), 1, "due again at once, not when the lease ends");
    assert_eq!(alive[0].delivery_id, delivery);

    // The dead worker's answer, had it come late, leaves the delivery's state alone; the
    // live worker's is what counts.
    let answer = |status: u16, delivered: bool| AttemptResult {
        delivery_id: delivery,
        endpoint_id: endpoint,
        number: 1,
        started_at: now,
        status: Some(status),
        duration_ms: 3,
        error: None,
        delivered,
        retry_at: None,
    };
    let disable_before = now - Duration::days(3);
    record_attempts(&db, "dead", &[answer(500, false)], disable_before)
        .await
        .unwrap();
    let state = |d: Option<Delivery>| {
        let d = d.expect("the owner's delivery");
        (d.state, d.attempts)
    };
    assert_eq!(
        state(delivery_of(&db, owner.id, delivery).await.unwrap()),
        (DeliveryState::Pending, 0)
    );
    record_attempts(&db, "alive", &[answer(204, true)], disable_before)
        .await
        .unwrap();
    assert_eq!(
        state(delivery_of(&db, owner.id, delivery).await.unwrap()),
        (DeliveryState::Delivered, 1)
    );
}

#[tokio::test]
async fn a_worker_releases_only_its_own_leases_of_the_deliveries_it_names() {
    let (db, _guard) = fresh_db().await;
    let owner = user(&db, Role::Mentor).await;
    let now = Utc::now();
    let endpoint = webhook_endpoint(&db, owner.id, now).await;
    let mut deliveries = Vec::new();
    for n in 0..3 {
        let body = format!("{{\"n\":{n}}}");
        deliveries.push(
            webhook_delivery(&db, owner.id, endpoint, ("pending", 0), &body, now)
                .await
                .1,
        );
    }
    let until = now + Duration::seconds(60);
    assert_eq!(lease_due(&db, "w1", now, until, 10).await.unwrap().len(), 3);

    // Another worker's name releases nothing; w1 releases the two it names.
    assert_eq!(release_leases(&db, "w2", &deliveries).await.unwrap(), 0);
    assert_eq!(
        release_leases(&db, "w1", &deliveries[..2]).await.unwrap(),
        2
    );
    let again: Vec<Uuid> = lease_due(&db, "w3", now, until, 10)
        .await
        .unwrap()
        .iter()
        .map(|d| d.delivery_id)
        .collect();
    let mut expected = deliveries[..2].to_vec();
    expected.sort();
    let mut again = again;
    again.sort();
    assert_eq!(again, expected, "the third is still w1's");
}
