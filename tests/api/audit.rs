//! The Audit Log over HTTP: refused attempts recorded once each, the log answering its viewers in
//! their own account, bad filters refused, and the streamed CSV download.
use crate::helpers::*;
use reqwest::StatusCode;
use workspace_console::store::Pool;

async fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, String, String, String, String)> {
    sqlx::query_as(
        "SELECT user_name, workspace, source, client_ip, result || ': ' || message
         FROM audit_events WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

on_both_engines!(refused_attempts_are_recorded_once_each_and_change_nothing);
async fn refused_attempts_are_recorded_once_each_and_change_nothing(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let delete = |typed: &str| {
        vec![
            ("workspace", s("sales_dw")),
            ("typed_name", s(typed)),
            ("freeze_tasks", s(true)),
        ]
    };
    let before = app.fingerprint().await;
    let denied_before = audit_rows(&app, "DeleteWorkspace").await.len();
    for (who, typed, status) in [
        (Who::Bob, "sales_dw", StatusCode::FORBIDDEN),
        (Who::Carol, "sales_dw", StatusCode::FORBIDDEN),
        (Who::Alice, "sales_d", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let client = app.client(who.credentials()).await;
        let (got, _) = app.call(&client, "delete_workspace", &delete(typed)).await;
        assert_eq!(got, status, "{who:?}");
    }
    assert_eq!(
        app.fingerprint().await,
        before,
        "a refusal changed something"
    );
    let rows = audit_rows(&app, "DeleteWorkspace").await;
    let new: Vec<_> = rows[denied_before..].to_vec();
    assert_eq!(new.len(), 3, "{new:?}");
    assert_eq!(new[0].0, "bob@acme");
    assert_eq!(new[1].0, "carol@acme");
    assert_eq!(new[2].0, "alice@acme");
    for row in &new {
        assert_eq!(
            (row.1.as_str(), row.2.as_str(), row.3.as_str()),
            ("sales_dw", "Console", "127.0.0.1")
        );
    }
    assert!(
        new[0]
            .4
            .starts_with("Denied: Requires AliyunDataWorksFullAccess"),
        "{new:?}"
    );
    assert!(new[1].4.starts_with("Denied: "), "{new:?}");
    assert!(new[2].4.starts_with("Failed: "), "{new:?}");

    // The same delete, done right, is one Success event.
    let client = app.client(Who::Alice.credentials()).await;
    let (ok, _) = app
        .call(&client, "delete_workspace", &delete("sales_dw"))
        .await;
    assert_eq!(ok, StatusCode::OK);
    let rows = audit_rows(&app, "DeleteWorkspace").await;
    assert_eq!(rows.len(), denied_before + 4);
    assert!(
        rows.last()
            .unwrap()
            .4
            .starts_with("Success: Moved to the Recycle Bin")
    );

    // Sign-ins: each one recorded in the account it names; a name of no account has no log.
    let sign_ins = audit_rows(&app, "SignIn").await.len();
    let failures = audit_rows(&app, "SignInFailed").await.len();
    let anon = app.client(None).await;
    for (user, pw) in [("alice@acme", "wrong-password"), ("nobody", "x")] {
        app.call(
            &anon,
            "sign_in",
            &[("username", s(user)), ("password", s(pw))],
        )
        .await;
    }
    let failed = audit_rows(&app, "SignInFailed").await;
    assert_eq!(failed.len(), failures + 1);
    assert_eq!(failed.last().unwrap().0, "alice@acme");
    assert!(audit_rows(&app, "SignIn").await.len() >= sign_ins);
}

on_both_engines!(the_audit_log_answers_its_viewers_in_their_own_account_and_refuses_bad_filters);
async fn the_audit_log_answers_its_viewers_in_their_own_account_and_refuses_bad_filters(
    pool: Pool,
) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Who::Bob.credentials()).await;
    let (status, body) = app
        .call(
            &bob,
            "list_audit_events",
            &[
                ("filter[workspace]", s("SALES_DW")),
                ("cursor", s("Newest")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let events = answer["page"]["events"].as_array().unwrap();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["workspace"] == "sales_dw"));
    let globex = app.client(Who::Globex.credentials()).await;
    let (_, body) = app
        .call(
            &globex,
            "list_audit_events",
            &[("filter[user]", s("acme")), ("cursor", s("Newest"))],
        )
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["page"]["events"],
        serde_json::json!([])
    );
    for (args, want) in [
        (
            vec![
                ("filter[action]", s("DropEverything")),
                ("cursor", s("Newest")),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            vec![("filter[user]", "x".repeat(300)), ("cursor", s("Newest"))],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (vec![("cursor", s("Sideways"))], StatusCode::BAD_REQUEST),
        (
            vec![("cursor[Before]", s("not-a-number"))],
            StatusCode::BAD_REQUEST,
        ),
        (vec![], StatusCode::BAD_REQUEST),
    ] {
        let (status, body) = app.call(&bob, "list_audit_events", &args).await;
        assert_eq!(status, want, "{args:?}: {body}");
    }
}

on_both_engines!(the_console_words_each_event_in_the_readers_language_and_keeps_its_english);
async fn the_console_words_each_event_in_the_readers_language_and_keeps_its_english(pool: Pool) {
    use workspace_console::i18n::{Lang, Worded};
    let app = spawn_app(pool, false).await;
    // An event recorded before the console spoke two languages: its English only.
    sqlx::query(
        "INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message)
         SELECT id, 1, 'acme', 'CreateWorkspace', 'old_ws', 'Console', '', 'Success', 'An old message.' FROM accounts WHERE name = 'acme'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // A change, and a refused attempt.
    let alice = app.client(Who::Alice.credentials()).await;
    let bob = app.client(Who::Bob.credentials()).await;
    let delete = vec![
        ("workspace", s("sales_dw")),
        ("typed_name", s("sales_dw")),
        ("freeze_tasks", s(true)),
    ];
    assert_eq!(
        app.call(&bob, "delete_workspace", &delete).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = app.call(&alice, "delete_workspace", &delete).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = app
        .call(&bob, "list_audit_events", &[("cursor", s("Newest"))])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let events = answer["page"]["events"].as_array().unwrap();
    let worded: Vec<Option<Worded>> = serde_json::from_value(answer["worded"].clone()).unwrap();
    assert_eq!(events.len(), worded.len(), "one per event: {answer}");
    let find = |user: &str, result: &str, action: &str| {
        events
            .iter()
            .position(|e| e["user_name"] == user && e["result"] == result && e["action"] == action)
            .unwrap_or_else(|| panic!("{user} {result} {action}: {answer}"))
    };
    let english = |at: usize| events[at]["message"].as_str().unwrap().to_owned();
    let chinese = |at: usize| Worded::msg(worded[at].as_ref(), &english(at)).in_lang(Lang::ZhCn);

    let deleted = find("alice@acme", "Success", "DeleteWorkspace");
    let key = worded[deleted]
        .as_ref()
        .expect("a change's message is worded");
    assert_eq!(key.key, "event_moved_to_bin");
    assert!(
        english(deleted).starts_with("Moved to the Recycle Bin until "),
        "{answer}"
    );
    assert!(english(deleted).contains(" tasks frozen, "), "{answer}");
    assert!(
        chinese(deleted).starts_with("已移入回收站，保留至 "),
        "{}",
        chinese(deleted)
    );

    let denied = find("bob@acme", "Denied", "DeleteWorkspace");
    let key = worded[denied]
        .as_ref()
        .expect("a refusal's message is worded");
    assert!(key.key.starts_with("error_"), "{key:?}");
    assert_ne!(chinese(denied), english(denied));
    assert!(!chinese(denied).is_empty());

    let old = events
        .iter()
        .position(|e| e["workspace"] == "old_ws")
        .unwrap();
    assert_eq!(worded[old], None);
    assert_eq!(chinese(old), "An old message.");
}

on_both_engines!(the_csv_download_streams_what_the_filters_select_for_viewers_only);
async fn the_csv_download_streams_what_the_filters_select_for_viewers_only(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let url = format!("{}/audit-log/export.csv?workspace=sales_dw", app.url);
    let bob = app.client(Who::Bob.credentials()).await;
    let res = bob.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit-log.csv")
    );
    let text = res.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Time,User,Action,Workspace,Source,Client IP,Result,Message"
    );
    let rows: Vec<_> = lines.collect();
    let in_db: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events a JOIN accounts c ON c.id = a.account_id
         WHERE c.name = 'acme' AND a.workspace = 'sales_dw'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, in_db);
    assert!(rows.iter().all(|r| r.contains(",sales_dw,")));
    // Compressed, as a browser asks for it: the stream ends cleanly (it once panicked when the
    // encoder polled it after its end, and the browser saw a reset connection).
    for encoding in ["br", "gzip"] {
        let res = bob
            .get(&url)
            .header("Accept-Encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], encoding);
        let body = res
            .bytes()
            .await
            .expect("the whole compressed body arrives");
        assert!(!body.is_empty());
    }
    for (who, want) in [
        (Who::SignedOut, StatusCode::UNAUTHORIZED),
        (Who::Carol, StatusCode::FORBIDDEN),
    ] {
        let client = app.client(who.credentials()).await;
        assert_eq!(
            client.get(&url).send().await.unwrap().status(),
            want,
            "{who:?}"
        );
    }
    for (bad, want) in [
        ("?action=Nope", StatusCode::UNPROCESSABLE_ENTITY),
        ("?user=a&user=b", StatusCode::BAD_REQUEST),
        // Bytes that are not UTF-8 are read as replacement characters: they match nothing.
        ("?workspace=%FF%FE", StatusCode::OK),
    ] {
        let res = bob
            .get(format!("{}/audit-log/export.csv{bad}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), want, "{bad}");
        if want == StatusCode::OK {
            assert_eq!(
                res.text().await.unwrap().lines().count(),
                1,
                "{bad}: only the header"
            );
        }
    }
}
