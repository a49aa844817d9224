//! "Delete Workspace" over HTTP: deletion protection refuses every delete (console and API) until
//! it is turned off, and "Undo" right after a delete recovers within 30 seconds and refuses
//! clearly after.
use crate::helpers::*;
use reqwest::StatusCode;
use workspace_console::store::Pool;

on_both_engines!(deletion_protection_refuses_every_delete_until_it_is_turned_off);
async fn deletion_protection_refuses_every_delete_until_it_is_turned_off(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let protect = |enabled: bool| vec![("workspace", s("finance_etl")), ("enabled", s(enabled))];
    // The dialog's preview is read before protection is turned on: the delete is refused all the same.
    let (status, _) = app
        .call(
            &alice,
            "get_deletion_preview",
            &[("workspace", s("finance_etl"))],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .call(&alice, "set_deletion_protection", &protect(true))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"deletion_protection\":true"), "{body}");

    let message = "Deletion protection is on for finance_etl; disable it first";
    let before = app.fingerprint().await;
    let (status, body) = app
        .call(
            &alice,
            "delete_workspace",
            &[
                ("workspace", s("finance_etl")),
                ("typed_name", s("finance_etl")),
                ("freeze_tasks", s(true)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains(message), "{body}");
    let api = Api::new(&app).await;
    let key = key_for(&pool, "acme").await;
    let (status, json) = api
        .call(
            Some(&key),
            reqwest::Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/finance_etl?confirm_name=finance_etl",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(json["message"], message);
    assert_eq!(
        app.fingerprint().await,
        before,
        "the refusals changed nothing"
    );
    assert!(active(&app, "finance_etl").await);

    // Each refusal is in the Audit Log as a denied DeleteWorkspace with that message.
    let denied: Vec<(String, String)> = sqlx::query_as(
        "SELECT source, message FROM audit_events
         WHERE action = 'DeleteWorkspace' AND workspace = 'finance_etl' AND result = 'Denied' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        denied,
        [
            ("Console".to_owned(), message.to_owned()),
            ("API".to_owned(), message.to_owned())
        ]
    );
    let turned_on: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'EnableDeletionProtection'
         AND workspace = 'finance_etl' AND result = 'Success'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(turned_on, 1);

    // Turned off through the API, the same delete goes through.
    let (status, json) = api
        .call(
            Some(&key),
            reqwest::Method::PUT,
            "/workspaces/{name}/deletion-protection",
            "/workspaces/finance_etl/deletion-protection",
            Some(serde_json::json!({"enabled": false})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["deletion_protection"], false);
    assert_eq!(
        app.delete_workspace(&alice, "finance_etl", "finance_etl")
            .await,
        StatusCode::OK
    );
    assert!(!active(&app, "finance_etl").await);
}

// The status message's "Undo" (SPEC §17): a Recover within 30 seconds of the delete, by the
// server's clock; refused as Recover is to others, and with a 409 pointing to the Recycle Bin
// later, or when the entry was recovered meanwhile; an entry purged meanwhile is gone.
on_both_engines!(undo_recovers_within_thirty_seconds_and_refuses_clearly_after);
async fn undo_recovers_within_thirty_seconds_and_refuses_clearly_after(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let alice = app.client(Who::Alice.credentials()).await;
    let delete = async |name: &str| -> (String, String) {
        let args = [
            ("workspace", s(name)),
            ("typed_name", s(name)),
            ("freeze_tasks", s(true)),
        ];
        let (status, body) = app.call(&alice, "delete_workspace", &args).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let outcome: serde_json::Value = serde_json::from_str(&body).unwrap();
        let at = outcome["deleted_at"].as_i64().unwrap();
        assert_eq!(outcome["undo_until"].as_i64(), Some(at + 30), "{body}");
        (s(outcome["entry_id"].as_i64().unwrap()), s(at))
    };
    let undo =
        |(id, at): &(String, String)| vec![("entry_id", id.clone()), ("deleted_at", at.clone())];

    // Someone else's, a reader's, and a late Undo change nothing.
    let entry = delete("marketing_ml").await;
    app.advance_clock(0).await;
    let before = app.fingerprint().await;
    let bob = app.client(Who::Bob.credentials()).await;
    assert_eq!(
        app.call(&bob, "undo_delete", &undo(&entry)).await.0,
        StatusCode::FORBIDDEN
    );
    let globex = app.client(Who::Globex.credentials()).await;
    let theirs = app.call(&globex, "undo_delete", &undo(&entry)).await;
    let missing = app
        .call(&alice, "undo_delete", &undo(&(s(999_999), entry.1.clone())))
        .await;
    assert_eq!(theirs.0, StatusCode::NOT_FOUND);
    assert_eq!(
        theirs, missing,
        "another account's entry answers as a missing one"
    );
    app.advance_clock(31).await;
    let (status, body) = app.call(&alice, "undo_delete", &undo(&entry)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("recover it from the Recycle Bin instead"),
        "{body}"
    );
    assert_eq!(app.fingerprint().await, before);
    assert!(!active(&app, "marketing_ml").await);

    // In time: recovered as Recover does, recorded as RecoverWorkspace; a second Undo is refused.
    let entry = delete("finance_etl").await;
    app.advance_clock(30).await;
    let (status, body) = app.call(&alice, "undo_delete", &undo(&entry)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["name"], "finance_etl");
    assert!(
        report["nodes_to_publish"]
            .as_array()
            .is_some_and(|n| !n.is_empty()),
        "{body}"
    );
    assert!(active(&app, "finance_etl").await);
    let recorded: Vec<(String, String)> = sqlx::query_as(
        "SELECT result, message FROM audit_events WHERE action = 'RecoverWorkspace' AND workspace = 'finance_etl'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert!(recorded[0].1.starts_with("Undone"), "{recorded:?}");
    let (status, body) = app.call(&alice, "undo_delete", &undo(&entry)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("already been recovered"), "{body}");

    // Purged meanwhile: it says the entry is gone.
    let entry = delete("finance_etl").await;
    let purge = [
        ("entry_id", entry.0.clone()),
        ("deleted_at", entry.1.clone()),
        ("typed_name", s("finance_etl")),
    ];
    let root = app.client(Who::Root.credentials()).await;
    assert_eq!(
        app.call(&root, "purge_workspace", &purge).await.0,
        StatusCode::OK
    );
    let (status, body) = app.call(&alice, "undo_delete", &undo(&entry)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("permanently deleted"), "{body}");
}
