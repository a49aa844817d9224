//! The Recycle Bin over HTTP: an entry's page is 404 for any caller whose entry it is not, and the
//! API's assets filter reads a kind in either spelling.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use workspace_console::store::Pool;

// The page /recycle-bin/<id> (SPEC §18): its entry for whoever may view the bin; a missing id,
// another account's and one that is not a number all answer 404.
on_both_engines!(a_bin_entry_page_is_404_for_an_entry_that_is_not_the_callers);
async fn a_bin_entry_page_is_404_for_an_entry_that_is_not_the_callers(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let legacy = app
        .id("SELECT id FROM workspaces WHERE name = 'legacy_reports' AND account_id = 1")
        .await;
    let page = async |who: Who, id: &str| {
        let client = app.client(who.credentials()).await;
        let res = client
            .get(format!("{}/recycle-bin/{id}", app.url))
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    };
    let (status, body) = page(Who::Bob, &legacy).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("legacy_reports (in Recycle Bin)"), "{body}");
    for (who, id) in [
        (Who::Globex, legacy.as_str()),
        (Who::Bob, "999999"),
        (Who::Bob, "not-a-number"),
    ] {
        let (status, body) = page(who, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who:?} {id}");
        assert!(
            body.contains("There is no such entry in the Recycle Bin"),
            "{who:?} {id}"
        );
    }
}

on_both_engines!(the_assets_filter_reads_a_kind_in_either_spelling);
async fn the_assets_filter_reads_a_kind_in_either_spelling(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let bob = key_for(&pool, "bob@acme").await;
    let api = Api::new(&app).await;
    let legacy: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE name = 'legacy_reports'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let assets = |kind: &str| format!("/recycle-bin/{legacy}/assets?kind={kind}&page=1");
    let kinds = [
        ("data_source", "DataSource"),
        ("compute", "Compute"),
        ("resource", "Resource"),
        ("node", "Node"),
    ];
    for (filter, answer) in kinds {
        let mut answers = Vec::new();
        for spelling in [filter, answer] {
            let (status, json) = api
                .call(
                    Some(&bob),
                    Method::GET,
                    "/recycle-bin/{id}/assets",
                    &assets(spelling),
                    None,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{spelling}: {json}");
            assert_eq!(json["kind"], answer, "{spelling}: the answer's spelling");
            answers.push(json);
        }
        assert_eq!(
            answers[0], answers[1],
            "{filter} and {answer} read one list"
        );
    }
    for wrong in ["NODE", "nodes", "DiTask", "di_task"] {
        let (status, json) = api
            .call(
                Some(&bob),
                Method::GET,
                "/recycle-bin/{id}/assets",
                &assets(wrong),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}: {json}");
    }
    // The document lists both spellings.
    let doc = served_document(&app).await;
    let kind = document_parameter(&doc, "/recycle-bin/{id}/assets", "get", "kind");
    assert_eq!(kind["required"], true);
    let listed = kind["schema"]["enum"].as_array().unwrap();
    for (filter, answer) in kinds {
        for spelling in [filter, answer] {
            assert!(
                listed.contains(&Value::from(spelling)),
                "{spelling}: {kind}"
            );
        }
    }
    assert_eq!(listed.len(), 8, "{kind}");
}

// ---- Finding entries and acting on many (SPEC §21, §22) ----------------------------------------

/// The id of acme's Recycle Bin entry `name`.
async fn entry_id(app: &TestApp, name: &str) -> i64 {
    bin_entry(&app.pool, name).await.0
}

/// The id of one of globex's workspaces: another account's id, to acme a missing one.
async fn globex_workspace(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT w.id FROM workspaces w JOIN accounts a ON a.id = w.account_id
         WHERE a.name = 'globex' ORDER BY w.id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The API's audit events of `action`, whatever their result.
async fn api_events(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1 AND source = 'API'")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Whether acme's workspace `name` is in the Recycle Bin.
async fn in_bin(app: &TestApp, name: &str) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM workspaces WHERE account_id = 1 AND name = $1
         AND deleted_at IS NOT NULL AND purge_started_at IS NULL",
    )
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .unwrap()
        == 1
}

/// `results` as (id, name, status, code).
fn rows(answer: &Value) -> Vec<(i64, String, u64, String)> {
    answer["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["name"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

on_both_engines!(a_bulk_recover_answers_each_entry_as_a_single_recover_would);
async fn a_bulk_recover_answers_each_entry_as_a_single_recover_would(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let api = Api::new(&app).await;
    let key = Some(alice.as_str());
    let (sandbox_a, sandbox_b) = (
        entry_id(&app, "sandbox_a").await,
        entry_id(&app, "sandbox_b").await,
    );
    let (legacy, poc) = (
        entry_id(&app, "legacy_reports").await,
        entry_id(&app, "poc_2025").await,
    );
    let foreign = globex_workspace(&app).await;
    // sandbox_b is recovered first, alone.
    let (status, _) = api
        .call(
            key,
            Method::POST,
            "/recycle-bin/{id}/recover",
            &format!("/recycle-bin/{sandbox_b}/recover"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A day and a second later legacy_reports' 14 days are up (the purge job has not run).
    app.state.clock.advance(DAY + 1);
    let events = api_events(&app, "RecoverWorkspace").await;
    let (status, answer) = api
        .call(
            key,
            Method::POST,
            "/recycle-bin/recover",
            "/recycle-bin/recover",
            Some(serde_json::json!({
                "ids": [sandbox_a, sandbox_b, legacy, foreign, 999_999_999, sandbox_a, poc]
            })),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = rows(&answer);
    assert_eq!(
        results,
        [
            (sandbox_a, s("sandbox_a"), 200, s("Recovered")),
            (sandbox_b, s("sandbox_b"), 409, s("Conflict")),
            (legacy, s("legacy_reports"), 409, s("Conflict")),
            (foreign, s(""), 404, s("NotFound")),
            (999_999_999, s(""), 404, s("NotFound")),
            (poc, s("poc_2025"), 200, s("Recovered")),
        ],
        "a repeated id counts once: {answer}"
    );
    let message = |i: usize| answer["results"][i]["message"].as_str().unwrap().to_owned();
    assert!(message(1).contains("already been recovered"), "{answer}");
    assert!(
        message(2).contains("can no longer be recovered"),
        "{answer}"
    );
    assert_eq!(
        message(3),
        message(4),
        "another account's id is a missing one"
    );
    // poc_2025's nodes were committed, never published: none to publish again.
    assert_eq!(
        answer["results"][5]["nodes_to_publish"],
        serde_json::json!([])
    );
    for (name, active_now) in [
        ("sandbox_a", true),
        ("sandbox_b", true),
        ("poc_2025", true),
        ("legacy_reports", false),
    ] {
        assert_eq!(active(&app, name).await, active_now, "{name}");
    }
    assert!(
        in_bin(&app, "legacy_reports").await,
        "refused, still in the bin"
    );
    // Each entry is audited as a single Recover is: a success or a refusal each.
    assert_eq!(api_events(&app, "RecoverWorkspace").await, events + 6);
    let succeeded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'RecoverWorkspace' AND source = 'API'
         AND result = 'Success' AND workspace IN ('sandbox_a', 'poc_2025')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(succeeded, 2);
}

on_both_engines!(a_bulk_purge_is_confirmed_by_the_count_and_refused_entry_by_entry_by_protection);
async fn a_bulk_purge_is_confirmed_by_the_count_and_refused_entry_by_entry_by_protection(
    pool: Pool,
) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let key = Some(root.as_str());
    let (sandbox_a, tmp) = (
        entry_id(&app, "sandbox_a").await,
        entry_id(&app, "tmp_join_test").await,
    );
    let foreign = globex_workspace(&app).await;
    let purge = async |ids: Vec<i64>, confirm_count: i64| {
        api.call(
            key,
            Method::POST,
            "/recycle-bin/purge",
            "/recycle-bin/purge",
            Some(serde_json::json!({"ids": ids, "confirm_count": confirm_count})),
            None,
        )
        .await
    };
    // A count that is not the number of entries (a repeated id counts once) changes nothing.
    let before = app.fingerprint().await;
    for (ids, count) in [
        (vec![sandbox_a, tmp], 1),
        (vec![sandbox_a, tmp], 3),
        (vec![sandbox_a, tmp, tmp], 3),
        (vec![sandbox_a], 0),
        (vec![sandbox_a], -1),
    ] {
        let (status, answer) = purge(ids.clone(), count).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{ids:?} {count}: {answer}"
        );
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .contains("`confirm_count` must be"),
            "{answer}"
        );
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed");
    // Purge protection refuses each entry with a 409; nothing is purged.
    let (status, _) = api
        .call(
            key,
            Method::PUT,
            "/account/purge-protection",
            "/account/purge-protection",
            Some(serde_json::json!({"enabled": true})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = app.fingerprint().await;
    let events = api_events(&app, "PurgeWorkspace").await;
    let (status, answer) = purge(vec![sandbox_a, tmp], 2).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for (i, result) in answer["results"].as_array().unwrap().iter().enumerate() {
        assert_eq!(result["status"], 409, "{i}: {answer}");
        assert!(
            result["message"]
                .as_str()
                .unwrap()
                .contains("Purge protection is on for this account"),
            "{answer}"
        );
    }
    assert_eq!(app.fingerprint().await, before, "nothing purged");
    assert_eq!(api_events(&app, "PurgeWorkspace").await, events + 2);
    let (status, _) = api
        .call(
            key,
            Method::PUT,
            "/account/purge-protection",
            "/account/purge-protection",
            Some(serde_json::json!({"enabled": false})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Off: each is purged at once and its name is free; another account's id is a missing one.
    let (status, answer) = purge(vec![sandbox_a, foreign, tmp, sandbox_a], 3).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        rows(&answer),
        [
            (sandbox_a, s("sandbox_a"), 200, s("Purged")),
            (foreign, s(""), 404, s("NotFound")),
            (tmp, s("tmp_join_test"), 200, s("Purged")),
        ]
    );
    for name in ["sandbox_a", "tmp_join_test"] {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM workspaces WHERE name = $1")
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(left, 0, "{name} is gone");
    }
    let globex_left: i64 = sqlx::query_scalar("SELECT count(*) FROM workspaces WHERE id = $1")
        .bind(foreign)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(globex_left, 1, "another account's workspace is untouched");
    // Purged a second time: gone, entry by entry.
    let (status, answer) = purge(vec![sandbox_a], 1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["results"][0]["status"], 404, "{answer}");
    let (status, created) = api
        .call(
            key,
            Method::POST,
            "/workspaces",
            "/workspaces",
            Some(serde_json::json!({"name": "sandbox_a"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "the name is free: {created}");
}

on_both_engines!(a_bulk_action_names_1_to_100_entries_and_a_bad_body_changes_nothing);
async fn a_bulk_action_names_1_to_100_entries_and_a_bad_body_changes_nothing(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let key = Some(root.as_str());
    let sandbox_a = entry_id(&app, "sandbox_a").await;
    let before = app.fingerprint().await;
    let events =
        api_events(&app, "RecoverWorkspace").await + api_events(&app, "PurgeWorkspace").await;
    // 101 entries (the first a real one), or none: a 422 that says so.
    let many: Vec<i64> = std::iter::once(sandbox_a)
        .chain(1_000_000..1_000_100)
        .collect();
    assert_eq!(many.len(), 101);
    for (template, body, says) in [
        (
            "/recycle-bin/recover",
            serde_json::json!({"ids": many}),
            "At most 100 entries",
        ),
        (
            "/recycle-bin/purge",
            serde_json::json!({"ids": many, "confirm_count": 101}),
            "At most 100 entries",
        ),
        (
            "/recycle-bin/recover",
            serde_json::json!({"ids": []}),
            "at least one",
        ),
        (
            "/recycle-bin/purge",
            serde_json::json!({"ids": [], "confirm_count": 0}),
            "at least one",
        ),
    ] {
        let (status, answer) = api
            .call(
                key,
                Method::POST,
                template,
                template,
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{template} {body}: {answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{template}: {message}");
        assert!(message.contains("Nothing was changed."), "{message}");
    }
    // 100 entries, repeated ids counting once, are taken.
    let hundred: Vec<i64> = std::iter::once(sandbox_a)
        .chain(1_000_000..1_000_099)
        .chain([sandbox_a])
        .collect();
    assert_eq!(hundred.len(), 101);
    // Bodies that cannot be read: a 400 each.
    for (template, body) in [
        ("/recycle-bin/recover", "{not json".to_owned()),
        ("/recycle-bin/recover", "".to_owned()),
        ("/recycle-bin/recover", r#"{"ids": 5}"#.to_owned()),
        ("/recycle-bin/recover", r#"{"ids": "1,2"}"#.to_owned()),
        (
            "/recycle-bin/recover",
            format!(r#"{{"ids": ["{sandbox_a}"]}}"#),
        ),
        ("/recycle-bin/recover", r#"{"ids": [1.5]}"#.to_owned()),
        ("/recycle-bin/recover", r#"{"ids": [null]}"#.to_owned()),
        ("/recycle-bin/recover", r#"{"ids": [[1]]}"#.to_owned()),
        (
            "/recycle-bin/recover",
            r#"{"ids": [99999999999999999999]}"#.to_owned(),
        ),
        (
            "/recycle-bin/recover",
            format!(r#"{{"ids": [{sandbox_a}], "ids": [1]}}"#),
        ),
        (
            "/recycle-bin/recover",
            format!(r#"{{"ids": [{sandbox_a}], "all": true}}"#),
        ),
        ("/recycle-bin/recover", r#"{}"#.to_owned()),
        ("/recycle-bin/recover", format!("[{sandbox_a}]")),
        ("/recycle-bin/recover", "null".to_owned()),
        ("/recycle-bin/purge", format!(r#"{{"ids": [{sandbox_a}]}}"#)),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": [{sandbox_a}], "confirm_count": "1"}}"#),
        ),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": [{sandbox_a}], "confirm_count": 1.5}}"#),
        ),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": [{sandbox_a}], "confirm_count": true}}"#),
        ),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": ["{sandbox_a}"], "confirm_count": 1}}"#),
        ),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": {sandbox_a}, "confirm_count": 1}}"#),
        ),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": [{sandbox_a}], "confirm_count": 1, "confirm_count": 1}}"#),
        ),
        (
            "/recycle-bin/purge",
            format!(r#"{{"ids": [{sandbox_a}], "confirm_count": 1, "confirm_name": "sandbox_a"}}"#),
        ),
        ("/recycle-bin/purge", "{not json".to_owned()),
    ] {
        let (status, answer) = raw_api(&app, &root, Method::POST, template, &body).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{template} {body}: {answer}"
        );
        assert_eq!(answer["code"], "BadRequest", "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert_plain(message, &format!("{template} {body}"));
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed");
    assert_eq!(
        api_events(&app, "RecoverWorkspace").await + api_events(&app, "PurgeWorkspace").await,
        events,
        "nothing acted"
    );
    let (status, answer) = api
        .call(
            key,
            Method::POST,
            "/recycle-bin/recover",
            "/recycle-bin/recover",
            Some(serde_json::json!({ "ids": hundred })),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = rows(&answer);
    assert_eq!(results.len(), 100);
    assert_eq!(results[0], (sandbox_a, s("sandbox_a"), 200, s("Recovered")));
    assert!(results[1..].iter().all(|r| r.2 == 404), "{answer}");
}

on_both_engines!(an_idempotency_key_replays_a_bulk_action_which_acts_once);
async fn an_idempotency_key_replays_a_bulk_action_which_acts_once(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let client = reqwest::Client::new();
    let (sandbox_a, sandbox_b) = (
        entry_id(&app, "sandbox_a").await,
        entry_id(&app, "sandbox_b").await,
    );
    let send = |path: &'static str, body: Value, key: String| {
        client
            .post(format!("{}/openapi/v1{path}", app.url))
            .header("Authorization", format!("Bearer {alice}"))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    for (path, body) in [
        (
            "/recycle-bin/recover",
            serde_json::json!({"ids": [sandbox_a]}),
        ),
        (
            "/recycle-bin/purge",
            serde_json::json!({"ids": [sandbox_b], "confirm_count": 1}),
        ),
    ] {
        let first = send(
            path,
            body.clone(),
            format!("{}-once", path.rsplit('/').next().unwrap()),
        )
        .await
        .unwrap();
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: Value = first.json().await.unwrap();
        assert_eq!(first["results"][0]["status"], 200, "{path}: {first}");
        let fingerprint = app.fingerprint().await;
        let events =
            api_events(&app, "RecoverWorkspace").await + api_events(&app, "PurgeWorkspace").await;
        let again = send(
            path,
            body.clone(),
            format!("{}-once", path.rsplit('/').next().unwrap()),
        )
        .await
        .unwrap();
        assert_eq!(again.status(), StatusCode::OK, "{path}");
        assert_eq!(
            again
                .headers()
                .get("idempotent-replayed")
                .map(|v| v.to_str().unwrap().to_owned())
                .as_deref(),
            Some("true"),
            "{path}"
        );
        let again: Value = again.json().await.unwrap();
        assert_eq!(again, first, "{path}: the first answer again");
        assert_eq!(app.fingerprint().await, fingerprint, "{path}: acted once");
        assert_eq!(
            api_events(&app, "RecoverWorkspace").await + api_events(&app, "PurgeWorkspace").await,
            events,
            "{path}: audited once"
        );
        // A new key acts on the current state: the entry has left the bin.
        let now = send(
            path,
            body,
            format!("{}-new", path.rsplit('/').next().unwrap()),
        )
        .await
        .unwrap();
        assert_eq!(now.status(), StatusCode::OK);
        let now: Value = now.json().await.unwrap();
        assert_ne!(now["results"][0]["status"], 200, "{path}: {now}");
    }
    assert!(active(&app, "sandbox_a").await);
}

on_both_engines!(the_bin_list_searches_filters_sorts_and_counts_through_the_api);
async fn the_bin_list_searches_filters_sorts_and_counts_through_the_api(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let bob = key_for(&pool, "bob@acme").await;
    let api = Api::new(&app).await;
    let list = async |query: &str| {
        api.call(
            Some(&bob),
            Method::GET,
            "/recycle-bin",
            &format!("/recycle-bin{query}"),
            None,
            None,
        )
        .await
    };
    let names = |answer: &Value| -> Vec<String> {
        answer["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Newest deletion first by default; the total, the page, everyone who deleted an entry.
    let (status, all) = list("").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        names(&all),
        [
            "sandbox_a",
            "sandbox_b",
            "tmp_join_test",
            "poc_2025",
            "legacy_reports"
        ]
    );
    assert_eq!(
        (all["total"].as_i64(), all["page"].as_i64()),
        (Some(5), Some(1))
    );
    assert_eq!(
        all["deleted_by_choices"],
        serde_json::json!(["acme", "alice@acme"])
    );
    for (query, want) in [
        (
            "?sort=deleted_at",
            vec![
                "legacy_reports",
                "poc_2025",
                "tmp_join_test",
                "sandbox_b",
                "sandbox_a",
            ],
        ),
        (
            "?sort=name",
            vec![
                "legacy_reports",
                "poc_2025",
                "sandbox_a",
                "sandbox_b",
                "tmp_join_test",
            ],
        ),
        (
            "?sort=-name",
            vec![
                "tmp_join_test",
                "sandbox_b",
                "sandbox_a",
                "poc_2025",
                "legacy_reports",
            ],
        ),
        (
            "?sort=-deleted_at&page=1",
            vec![
                "sandbox_a",
                "sandbox_b",
                "tmp_join_test",
                "poc_2025",
                "legacy_reports",
            ],
        ),
        ("?query=SANDBOX", vec!["sandbox_a", "sandbox_b"]),
        ("?query=_b", vec!["sandbox_b"]),
        ("?query=%25", vec![]),
        ("?deleted_by=acme", vec!["tmp_join_test", "legacy_reports"]),
        (
            "?deleted_by=alice%40acme&sort=name",
            vec!["poc_2025", "sandbox_a", "sandbox_b"],
        ),
        (
            "?query=a&deleted_by=alice%40acme&sort=-name",
            vec!["sandbox_b", "sandbox_a"],
        ),
        ("?deleted_by=bob%40acme", vec![]),
        (
            "?query=&deleted_by=&sort=&page=7",
            vec![
                "sandbox_a",
                "sandbox_b",
                "tmp_join_test",
                "poc_2025",
                "legacy_reports",
            ],
        ),
    ] {
        let (status, answer) = list(query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {answer}");
        assert_eq!(names(&answer), want, "{query}");
        assert_eq!(answer["total"].as_u64(), Some(want.len() as u64), "{query}");
        assert_eq!(
            answer["page"], 1,
            "{query}: a page past the last reads the last"
        );
    }
    // A sort the API does not know is a 400 that names it and the four it knows.
    for bad in ["size", "NAME", "-", "name,id", "deleted"] {
        let (status, answer) = list(&format!("?sort={bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains("`sort` must be one of name, -name, deleted_at, -deleted_at"),
            "{message}"
        );
        assert_plain(message, bad);
    }
    let (status, answer) = list("?sort=name&sort=-name").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = list(&format!("?query={}", "x".repeat(65))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // 20 a page: 25 more entries make two pages.
    let acme = principal(&pool, "acme").await;
    for i in 0..25 {
        let name = format!("extra_{i:02}");
        workspace_console::workspaces::service::create(
            &pool,
            &by(&acme, T0),
            workspace_console::workspaces::service::NewWorkspace {
                name: name.clone(),
                display_name: String::new(),
                description: String::new(),
                data_modeling: false,
                deletion_protection: false,
            },
        )
        .await
        .unwrap();
        workspace_console::deletion::service::delete(&pool, &by(&acme, T0), &name, &name, true)
            .await
            .unwrap();
    }
    let (_, first) = list("?page=1").await;
    let (_, second) = list("?page=2").await;
    assert_eq!(first["total"], 30);
    assert_eq!((names(&first).len(), names(&second).len()), (20, 10));
    assert_eq!(second["page"], 2);
    // All deleted at T0: newest first means the highest id first among them.
    assert_eq!(names(&first)[0], "extra_24");
    assert_eq!(
        names(&second)[5..],
        [
            "sandbox_a",
            "sandbox_b",
            "tmp_join_test",
            "poc_2025",
            "legacy_reports"
        ]
    );
}

// ---- "Copy to Workspace" (SPEC §23) -----------------------------------------------------------

/// `POST /recycle-bin/{entry}/copy-nodes` with `key`, checked against the document.
async fn copy_nodes(
    api: &Api<'_>,
    key: &str,
    entry: i64,
    target: &str,
    node_ids: &[i64],
) -> (StatusCode, Value) {
    api.call(
        Some(key),
        Method::POST,
        "/recycle-bin/{id}/copy-nodes",
        &format!("/recycle-bin/{entry}/copy-nodes"),
        Some(serde_json::json!({ "target_workspace": target, "node_ids": node_ids })),
        None,
    )
    .await
}

/// Everything a Recycle Bin entry is and holds: its row (countdown), its nodes with their code,
/// status and versions, its dependencies and tasks.
async fn entry_state(pool: &Pool, entry: i64) -> Vec<String> {
    let row: (String, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT name, deleted_at, purge_at, purge_started_at FROM workspaces WHERE id = $1",
    )
    .bind(entry)
    .fetch_one(pool)
    .await
    .unwrap();
    let mut state = vec![format!("{row:?}")];
    let assets: Vec<(i64, String, String, String, String, String, Option<String>)> =
        sqlx::query_as(
            "SELECT id, kind, product, name, subtype, code, node_status FROM assets
             WHERE workspace_id = $1 ORDER BY id",
        )
        .bind(entry)
        .fetch_all(pool)
        .await
        .unwrap();
    state.extend(assets.iter().map(|a| format!("{a:?}")));
    let versions: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT v.node_id, v.version, v.code, v.committed_by, v.committed_at FROM node_versions v
         JOIN assets a ON a.id = v.node_id WHERE a.workspace_id = $1 ORDER BY v.node_id, v.version",
    )
    .bind(entry)
    .fetch_all(pool)
    .await
    .unwrap();
    state.extend(versions.iter().map(|v| format!("{v:?}")));
    let dependencies: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM node_dependencies d JOIN assets a ON a.id = d.node_id OR a.id = d.upstream_id
         WHERE a.workspace_id = $1",
    )
    .bind(entry)
    .fetch_one(pool)
    .await
    .unwrap();
    let tasks: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks WHERE workspace_id = $1")
        .bind(entry)
        .fetch_one(pool)
        .await
        .unwrap();
    state.push(format!("dependencies {dependencies}, tasks {tasks}"));
    state
}

/// A node as copying compares it: name, product, type, detail, code, and its committed versions
/// (number, code, author, time).
type NodeCopy = (
    (String, String, String, String, String),
    Vec<(i64, String, String, i64)>,
);

async fn node_as_copied(pool: &Pool, id: i64) -> NodeCopy {
    let node = sqlx::query_as(
        "SELECT name, product, subtype, detail, code FROM assets WHERE id = $1 AND kind = 'node'",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    let versions = sqlx::query_as(
        "SELECT version, code, committed_by, committed_at FROM node_versions
         WHERE node_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap();
    (node, versions)
}

/// The workspace (its name, and whether it is active) and status of node `id`.
async fn where_is(pool: &Pool, id: i64) -> (String, bool, String) {
    let (name, deleted_at, status): (String, Option<i64>, String) = sqlx::query_as(
        "SELECT w.name, w.deleted_at, a.node_status FROM assets a
         JOIN workspaces w ON w.id = a.workspace_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    (name, deleted_at.is_none(), status)
}

// The copy is a new node of the target with the same name, product, type and code and the
// committed versions (times and authors kept), unpublished, without dependencies or a task; the
// entry stays exactly as it was, the audit event on the target names it and the count, and a
// Recover afterwards still brings back the original nodes.
on_both_engines!(copied_nodes_keep_code_and_versions_unpublished_and_the_entry_stays_as_it_was);
async fn copied_nodes_keep_code_and_versions_unpublished_and_the_entry_stays_as_it_was(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let api = Api::new(&app).await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let check = acme_node(&pool, "tmp_join_test", "check_join_counts").await;
    let shown = |key: String| {
        let api = &api;
        async move {
            api.call(
                Some(&key),
                Method::GET,
                "/recycle-bin/{id}",
                &format!("/recycle-bin/{entry}"),
                None,
                None,
            )
            .await
        }
    };
    let (status, entry_before) = shown(alice.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let state_before = entry_state(&pool, entry).await;
    let originals = [
        node_as_copied(&pool, join).await,
        node_as_copied(&pool, check).await,
    ];
    assert!(
        originals[0].1.len() == 2 && !originals[1].1.is_empty(),
        "the demo's nodes have committed versions: {originals:?}"
    );

    let (status, report) = copy_nodes(&api, &alice, entry, "finance_etl", &[join, check]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["target_workspace"], "finance_etl");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{report}");
    let mut copies = vec![];
    for ((result, original), id) in results.iter().zip(&originals).zip([join, check]) {
        assert_eq!(result["node_id"], id, "in the order named: {report}");
        assert_eq!(result["status"], 200, "{result}");
        assert_eq!(result["code"], "Copied", "{result}");
        assert_eq!(result["name"], original.0.0.as_str(), "{result}");
        let copy = result["copied_node_id"].as_i64().unwrap();
        assert_ne!(copy, id, "a new node");
        assert_eq!(&node_as_copied(&pool, copy).await, original);
        let (workspace, active, node_status) = where_is(&pool, copy).await;
        assert_eq!(
            (workspace.as_str(), active, node_status.as_str()),
            ("finance_etl", true, "committed"),
            "in the target, unpublished"
        );
        let dependencies = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM node_dependencies WHERE node_id = $1 OR upstream_id = $1",
        )
        .bind(copy)
        .fetch_one(&pool)
        .await
        .unwrap();
        let tasks = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tasks WHERE node_id = $1")
            .bind(copy)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((dependencies, tasks), (0, 0), "no dependencies, no task");
        copies.push(copy);
    }
    // Anyone who may view the target sees them among its nodes.
    let bob = key_for(&pool, "bob@acme").await;
    let (status, nodes) = api
        .call(
            Some(&bob),
            Method::GET,
            "/workspaces/{name}/nodes",
            "/workspaces/finance_etl/nodes",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for name in ["join_orders_customers", "check_join_counts"] {
        assert!(
            nodes.as_array().unwrap().iter().any(|n| n["name"] == name),
            "{name}: {nodes}"
        );
    }

    // The entry is exactly as it was: its counts, countdown, lists and what Recover brings back.
    assert_eq!(shown(alice.clone()).await.1, entry_before);
    assert_eq!(entry_state(&pool, entry).await, state_before);

    // One event, on the target, naming the entry and the count.
    let events: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT workspace, user_name, result, message FROM audit_events
         WHERE action = 'CopyNodesFromRecycleBin' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let (workspace, user, result, message) = &events[0];
    assert_eq!(
        (workspace.as_str(), user.as_str(), result.as_str()),
        ("finance_etl", "alice@acme", "Success")
    );
    assert!(
        message.contains("tmp_join_test") && message.contains(&format!("id {entry}")),
        "names the entry: {message}"
    );
    assert!(message.starts_with("2 of 2 nodes copied"), "{message}");
    let (status, listed) = api
        .call(
            Some(&bob),
            Method::GET,
            "/audit-events",
            "/audit-events?action=CopyNodesFromRecycleBin&page=1",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["events"][0]["workspace"], "finance_etl", "{listed}");

    // Recover still brings back the original nodes, as they were; the copies stay in the target.
    let (status, recovered) = api
        .call(
            Some(&alice),
            Method::POST,
            "/recycle-bin/{id}/recover",
            &format!("/recycle-bin/{entry}/recover"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{recovered}");
    for (id, original) in [join, check].into_iter().zip(&originals) {
        assert_eq!(&node_as_copied(&pool, id).await, original);
        let (workspace, active, _) = where_is(&pool, id).await;
        assert_eq!((workspace.as_str(), active), ("tmp_join_test", true));
    }
    for copy in copies {
        assert_eq!(where_is(&pool, copy).await.0, "finance_etl");
    }
}

// A name taken in the target refuses that node alone, as does an id that is no node of the entry;
// the rest are copied. 100 nodes may be named at once.
on_both_engines!(a_taken_name_refuses_that_node_alone_and_the_rest_are_copied);
async fn a_taken_name_refuses_that_node_alone_and_the_rest_are_copied(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let check = acme_node(&pool, "tmp_join_test", "check_join_counts").await;
    let compute = acme_node(&pool, "tmp_join_test", "mc_tmp_join").await;
    let reconcile = acme_node(&pool, "finance_etl", "reconcile").await;
    let (status, first) = copy_nodes(&api, &root, entry, "finance_etl", &[join]).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let first_copy = first["results"][0]["copied_node_id"].as_i64().unwrap();

    // The 100 limit: exactly 100 ids is one request (a repeated id counts once).
    let mut ids = vec![join, check, compute, reconcile, join];
    ids.extend((1..=96).map(|i| 1_000_000 + i));
    let (status, report) = copy_nodes(&api, &root, entry, "finance_etl", &ids).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 100, "{report}");
    let taken = &results[0];
    assert_eq!(taken["node_id"], join);
    assert_eq!(taken["status"], 409, "{taken}");
    assert_eq!(taken["code"], "Conflict", "{taken}");
    assert_eq!(taken["name"], "join_orders_customers");
    assert_eq!(
        taken["message"],
        "A node named join_orders_customers already exists in finance_etl"
    );
    assert!(taken["copied_node_id"].is_null(), "{taken}");
    assert_eq!(results[1]["node_id"], check);
    assert_eq!(results[1]["status"], 200, "{}", results[1]);
    let check_copy = results[1]["copied_node_id"].as_i64().unwrap();
    assert_eq!(
        node_as_copied(&pool, check_copy).await,
        node_as_copied(&pool, check).await
    );
    // Not a node of this entry: a computing resource of it, another workspace's node, no node.
    for result in &results[2..] {
        assert_eq!(result["status"], 404, "{result}");
        assert_eq!(result["code"], "NotFound", "{result}");
        assert_eq!(
            result["name"], "",
            "nothing told of another workspace: {result}"
        );
        assert!(result["copied_node_id"].is_null(), "{result}");
    }
    let named = |name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM assets a JOIN workspaces w ON w.id = a.workspace_id
                 WHERE w.account_id = 1 AND w.name = 'finance_etl' AND a.name = $1",
            )
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(named("join_orders_customers").await, 1);
    assert_eq!(named("check_join_counts").await, 1);
    assert_eq!(
        where_is(&pool, first_copy).await.0,
        "finance_etl",
        "the first copy is untouched"
    );
    let message: String = sqlx::query_scalar(
        "SELECT message FROM audit_events WHERE action = 'CopyNodesFromRecycleBin' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(message.starts_with("1 of 100 nodes copied"), "{message}");
    assert!(message.contains("tmp_join_test"), "{message}");
    // Every node refused: still an answer per node, and nothing more copied.
    let before = app.fingerprint().await;
    let (status, report) = copy_nodes(&api, &root, entry, "finance_etl", &[check, join]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == 409),
        "{report}"
    );
    assert_eq!(app.fingerprint().await, before);
}

// Refused as a whole, changing nothing: an entry whose 14 days are up (before the purge job has
// run), a target in the Recycle Bin, missing, or of another account, another account's entry,
// an active workspace as the entry, no node or more than 100, a read-only or no-policy user.
on_both_engines!(a_copy_is_refused_as_a_whole_changing_nothing);
async fn a_copy_is_refused_as_a_whole_changing_nothing(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let api = Api::new(&app).await;
    let alice = key_for(&pool, "alice@acme").await;
    let bob = key_for(&pool, "bob@acme").await;
    let carol = key_for(&pool, "carol@acme").await;
    let globex = key_for(&pool, "globex").await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let (legacy, _) = bin_entry(&pool, "legacy_reports").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let summary = acme_node(&pool, "legacy_reports", "monthly_summary").await;
    let finance: i64 = sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE account_id = 1 AND name = 'finance_etl'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let reconcile = acme_node(&pool, "finance_etl", "reconcile").await;
    let too_many: Vec<i64> = std::iter::once(join)
        .chain((1..=100).map(|i| 1_000_000 + i))
        .collect();
    let states = async || {
        (
            entry_state(&pool, entry).await,
            entry_state(&pool, legacy).await,
        )
    };
    let before = app.fingerprint().await;
    let entries_before = states().await;
    let cases: Vec<(&str, &str, i64, &str, Vec<i64>, StatusCode, &str)> = vec![
        (
            "alice",
            alice.as_str(),
            entry,
            "poc_2025",
            vec![join],
            StatusCode::NOT_FOUND,
            "does not exist",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "no_such_ws",
            vec![join],
            StatusCode::NOT_FOUND,
            "does not exist",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "globex_lake",
            vec![join],
            StatusCode::NOT_FOUND,
            "does not exist",
        ),
        (
            "globex",
            globex.as_str(),
            entry,
            "sales_dw",
            vec![join],
            StatusCode::NOT_FOUND,
            "Recycle Bin",
        ),
        (
            "globex",
            globex.as_str(),
            entry,
            "finance_etl",
            vec![join],
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            "alice",
            alice.as_str(),
            finance,
            "sales_dw",
            vec![reconcile],
            StatusCode::NOT_FOUND,
            "Recycle Bin",
        ),
        (
            "alice",
            alice.as_str(),
            999_999,
            "finance_etl",
            vec![join],
            StatusCode::NOT_FOUND,
            "Recycle Bin",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "finance_etl",
            vec![],
            StatusCode::UNPROCESSABLE_ENTITY,
            "at least one node",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "finance_etl",
            too_many,
            StatusCode::UNPROCESSABLE_ENTITY,
            "At most 100",
        ),
        (
            "bob",
            bob.as_str(),
            entry,
            "finance_etl",
            vec![join],
            StatusCode::FORBIDDEN,
            "",
        ),
        (
            "carol",
            carol.as_str(),
            entry,
            "finance_etl",
            vec![join],
            StatusCode::FORBIDDEN,
            "",
        ),
    ];
    for (who, key, entry_id, target, ids, want, says) in cases {
        let (status, answer) = copy_nodes(&api, key, entry_id, target, &ids).await;
        let case = format!(
            "{who}: entry {entry_id} into {target} ({} nodes)",
            ids.len()
        );
        assert_eq!(status, want, "{case}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{case}: {message}");
        assert_plain(message, &case);
        assert_eq!(app.fingerprint().await, before, "{case} changed something");
        assert_eq!(states().await, entries_before, "{case} changed an entry");
    }

    // legacy_reports was deleted 13 days before T0: a day later its 14 days are up, and nothing
    // can be taken from it even though the purge job has not run yet (it is still there).
    app.state.clock.advance(DAY - 1);
    let (status, answer) = copy_nodes(&api, &alice, legacy, "finance_etl", &[summary]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "one second before the end: {answer}"
    );
    let copied = answer["results"][0]["copied_node_id"].as_i64().unwrap();
    let before = app.fingerprint().await;
    app.state.clock.advance(1);
    let export = acme_node(&pool, "legacy_reports", "export_csv").await;
    let (status, answer) = copy_nodes(&api, &alice, legacy, "finance_etl", &[export]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("legacy_reports") && message.contains("14 days"),
        "{message}"
    );
    assert_eq!(app.fingerprint().await, before, "nothing copied");
    assert_eq!(
        bin_entry(&pool, "legacy_reports").await.0,
        legacy,
        "still in the bin: the job has not run"
    );
    assert_eq!(where_is(&pool, copied).await.0, "finance_etl");
    // Every refusal was recorded as one, and only the copy that happened as a success.
    let successes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'CopyNodesFromRecycleBin' AND result = 'Success'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(successes, 1);
}
