//! Goals in the store: the one-per-numeric-kind rule and the dashboard's `a_share_goals`.

use domain::{BasisPoints, GoalKind, GoalTarget, Quarter};
use store::{NewGoal, Role, StoreError, begin_write};

use crate::support::{fresh_db, program_with_standard, user};

fn quarter(text: &str) -> Quarter {
    Quarter::parse(text).expect("a quarter")
}

#[tokio::test]
async fn a_share_goals_are_read_per_program_and_mentee_for_one_quarter() {
    let (db, _guard) = fresh_db().await;
    let mentor = user(&db, Role::Mentor).await;
    let (program, _) = program_with_standard(&db, &mentor).await;
    let (other, _) = program_with_standard(&db, &mentor).await;
    let (m1, m2) = (user(&db, Role::Mentee).await, user(&db, Role::Mentee).await);
    let share = |bp| GoalTarget::number(GoalKind::AShare, bp).expect("basis points");
    let goals = [
        (program.id, m1.id, "2027-Q1", share(8000)),
        (program.id, m2.id, "2027-Q1", share(7000)),
        (other.id, m1.id, "2027-Q1", share(6000)),
        (program.id, m1.id, "2027-Q2", share(9000)),
        (
            program.id,
            m2.id,
            "2027-Q1",
            GoalTarget::number(GoalKind::SayNoCount, 3).expect("a count"),
        ),
    ];
    let tx = begin_write(&db).await.expect("a transaction");
    for (program_id, mentee_id, q, target) in goals {
        let goal = NewGoal {
            program_id,
            mentee_id,
            quarter: quarter(q),
            target,
        };
        store::goals::insert_goal(&tx, &goal)
            .await
            .expect("inserted");
    }
    tx.commit().await.expect("committed");
    // On its own transaction: on PostgreSQL a failed statement ends the transaction it is in.
    let tx = begin_write(&db).await.expect("a transaction");
    let twice = NewGoal {
        program_id: program.id,
        mentee_id: m1.id,
        quarter: quarter("2027-Q1"),
        target: share(1),
    };
    let refused = store::goals::insert_goal(&tx, &twice).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict("goal kind"))),
        "{refused:?}"
    );
    drop(tx);

    let found = store::goals::a_share_goals(&db, &[program.id], quarter("2027-Q1"))
        .await
        .expect("read");
    let bp = |v| BasisPoints::new(v).expect("bp");
    assert_eq!(found.len(), 2);
    assert_eq!(found.get(&(program.id, m1.id)), Some(&bp(8000)));
    assert_eq!(found.get(&(program.id, m2.id)), Some(&bp(7000)));
    let none = store::goals::a_share_goals(&db, &[], quarter("2027-Q1"))
        .await
        .expect("read");
    assert!(none.is_empty());
}
