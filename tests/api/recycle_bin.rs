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
