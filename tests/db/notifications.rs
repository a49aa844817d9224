//! Notices and the webhook at the service level: warnings exactly once per entry, person and kind,
//! whatever the clock and the job passes do; deliveries retried with backoff, de-duplicable by id,
//! signed, given up after a day, and never sent into the internal network.
use crate::helpers::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use workspace_console::deletion::service as deletion;
use workspace_console::domain::Principal;
use workspace_console::error::AppError;
use workspace_console::notifications::service as notices;
use workspace_console::notifications::webhook;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;

async fn notices_of(pool: &Pool, user: &Principal) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = notices::list(pool, user)
        .await
        .unwrap()
        .notices
        .into_iter()
        .map(|n| (n.workspace, n.kind.as_str().to_owned()))
        .collect();
    list.reverse();
    list
}

fn kinds(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(w, k)| (w.to_string(), k.to_string()))
        .collect()
}

on_both_engines!(warnings_come_7_days_and_1_day_before_exactly_once_each);
async fn warnings_come_7_days_and_1_day_before_exactly_once_each(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    let bob = ram_user(&pool, &acme, "bob", Some("AliyunDataWorksReadOnlyAccess")).await;
    workspace(&pool, &acme, "sales_dw", false).await;
    deletion::delete(&pool, &by(&alice, T0), "sales_dw", "sales_dw", true)
        .await
        .unwrap();
    assert_eq!(
        notices::warn_pass(&pool, T0 + 7 * DAY - 1).await.unwrap(),
        0
    );
    assert_eq!(notices::warn_pass(&pool, T0 + 7 * DAY).await.unwrap(), 2);
    assert_eq!(notices::warn_pass(&pool, T0 + 7 * DAY).await.unwrap(), 0);
    assert_eq!(
        notices::warn_pass(&pool, T0 + 13 * DAY - 1).await.unwrap(),
        0
    );
    assert_eq!(notices::warn_pass(&pool, T0 + 13 * DAY).await.unwrap(), 2);
    assert_eq!(
        notices::warn_pass(&pool, T0 + 13 * DAY + 5).await.unwrap(),
        0
    );
    bin::purge_expired(&pool, T0 + 14 * DAY).await.unwrap();
    bin::purge_expired(&pool, T0 + 14 * DAY + 60).await.unwrap();
    let expected = kinds(&[
        ("sales_dw", "Warning7Days"),
        ("sales_dw", "Warning1Day"),
        ("sales_dw", "Purged"),
    ]);
    assert_eq!(notices_of(&pool, &acme).await, expected);
    assert_eq!(notices_of(&pool, &alice).await, expected);
    assert!(notices_of(&pool, &bob).await.is_empty());
    assert_eq!(notices::list(&pool, &alice).await.unwrap().unread, 3);
    notices::mark_all_read(&pool, T0, &alice).await.unwrap();
    assert_eq!(notices::list(&pool, &alice).await.unwrap().unread, 0);
    assert_eq!(notices::list(&pool, &acme).await.unwrap().unread, 3);
}

on_both_engines!(a_clock_jump_of_14_days_sends_only_the_1_day_warning_then_the_purged_notice);
async fn a_clock_jump_of_14_days_sends_only_the_1_day_warning_then_the_purged_notice(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let later = T0 + 14 * DAY;
    assert_eq!(notices::warn_pass(&pool, later).await.unwrap(), 1);
    bin::purge_expired(&pool, later).await.unwrap();
    assert_eq!(notices::warn_pass(&pool, later + 60).await.unwrap(), 0);
    assert_eq!(
        notices_of(&pool, &acme).await,
        kinds(&[("ws1", "Warning1Day"), ("ws1", "Purged")])
    );
}

on_both_engines!(racing_passes_create_each_notice_once);
async fn racing_passes_create_each_notice_once(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for i in 0..5 {
        let name = format!("ws{i}");
        workspace(&pool, &acme, &name, false).await;
        deletion::delete(&pool, &by(&acme, T0), &name, &name, true)
            .await
            .unwrap();
    }
    let at = T0 + 8 * DAY;
    let (a, b, c) = tokio::join!(
        notices::warn_pass(&pool, at),
        notices::warn_pass(&pool, at),
        notices::warn_pass(&pool, at + 1)
    );
    assert_eq!(a.unwrap() + b.unwrap() + c.unwrap(), 5);
    assert_eq!(count(&pool, "SELECT count(*) FROM notifications").await, 5);
}

on_both_engines!(a_recovered_or_purged_by_hand_entry_gets_no_further_warnings);
async fn a_recovered_or_purged_by_hand_entry_gets_no_further_warnings(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "back", false).await;
    workspace(&pool, &acme, "gone", false).await;
    for name in ["back", "gone"] {
        deletion::delete(&pool, &by(&acme, T0), name, name, true)
            .await
            .unwrap();
    }
    assert_eq!(notices::warn_pass(&pool, T0 + 7 * DAY).await.unwrap(), 2);
    let (id, at) = bin_entry(&pool, "back").await;
    bin::recover(&pool, &by(&acme, T0 + 8 * DAY), id, at)
        .await
        .unwrap();
    let (id, at) = bin_entry(&pool, "gone").await;
    bin::purge(&pool, &by(&acme, T0 + 8 * DAY), id, at, "gone")
        .await
        .unwrap();
    assert_eq!(notices::warn_pass(&pool, T0 + 13 * DAY).await.unwrap(), 0);
    bin::purge_expired(&pool, T0 + 14 * DAY).await.unwrap();
    assert_eq!(
        notices_of(&pool, &acme).await,
        kinds(&[
            ("back", "Warning7Days"),
            ("gone", "Warning7Days"),
            ("gone", "Purged"),
        ])
    );
}

on_both_engines!(a_purge_by_hand_says_who_and_when_and_the_jobs_says_the_14_days_are_over);
async fn a_purge_by_hand_says_who_and_when_and_the_jobs_says_the_14_days_are_over(pool: Pool) {
    use workspace_console::domain::time::format_utc;
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    for name in ["early", "late"] {
        workspace(&pool, &acme, name, false).await;
        deletion::delete(&pool, &by(&alice, T0), name, name, true)
            .await
            .unwrap();
    }
    let (id, at) = bin_entry(&pool, "early").await;
    let by_hand = T0 + 3 * DAY + 125;
    bin::purge(&pool, &by(&acme, by_hand), id, at, "early")
        .await
        .unwrap();
    bin::purge_expired(&pool, T0 + 14 * DAY).await.unwrap();
    let texts = |list: workspace_console::notifications::Notices| -> Vec<String> {
        let mut texts: Vec<String> = list
            .notices
            .iter()
            .filter(|n| n.kind.as_str() == "Purged")
            .map(|n| n.text())
            .collect();
        texts.reverse();
        texts
    };
    let expected = vec![
        format!(
            "early was permanently deleted by acme at {}, before its 14 days in the Recycle Bin were over",
            format_utc(by_hand)
        ),
        "late has been permanently deleted; its 14 days in the Recycle Bin are over".to_owned(),
    ];
    // The root and the user who deleted them read the same words.
    assert_eq!(texts(notices::list(&pool, &acme).await.unwrap()), expected);
    assert_eq!(texts(notices::list(&pool, &alice).await.unwrap()), expected);
}

/// A receiver on a free loopback port: it answers 500 to the first `failures` requests, then 200,
/// and keeps every body it was sent.
async fn receiver(failures: usize) -> (String, Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    use axum::http::StatusCode;
    let bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::new(AtomicUsize::new(0));
    let app = {
        let bodies = bodies.clone();
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: String| {
                let bodies = bodies.clone();
                let seen = seen.clone();
                async move {
                    bodies
                        .lock()
                        .unwrap()
                        .push(serde_json::from_str(&body).unwrap());
                    if seen.fetch_add(1, Ordering::SeqCst) < failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, bodies)
}

/// acme's webhook on a receiver that fails its first `failures` deliveries, and one notice for it
/// (ws1's 7-day warning): what the receiver got, and when the notice was made.
async fn one_notice_for_a_webhook(
    pool: &Pool,
    failures: usize,
) -> (Arc<std::sync::Mutex<Vec<serde_json::Value>>>, i64) {
    let acme = account(pool, "acme").await;
    let (url, bodies) = receiver(failures).await;
    notices::set_webhook(pool, &by(&acme, T0), &url, true)
        .await
        .unwrap();
    workspace(pool, &acme, "ws1", false).await;
    deletion::delete(pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let t = T0 + 7 * DAY;
    notices::warn_pass(pool, t).await.unwrap();
    (bodies, t)
}

on_both_engines!(a_webhook_gets_each_notice_once_with_its_id_after_retries_with_backoff);
async fn a_webhook_gets_each_notice_once_with_its_id_after_retries_with_backoff(pool: Pool) {
    let (bodies, t) = one_notice_for_a_webhook(&pool, 2).await;
    let client = webhook::Sender::new(true);
    assert_eq!(webhook::deliver_due(&pool, &client, t).await.unwrap(), 0);
    // Not due again before its backoff.
    assert_eq!(
        webhook::deliver_due(&pool, &client, t + 9).await.unwrap(),
        0
    );
    assert_eq!(bodies.lock().unwrap().len(), 1);
    assert_eq!(
        webhook::deliver_due(&pool, &client, t + 10).await.unwrap(),
        0
    );
    assert_eq!(
        webhook::deliver_due(&pool, &client, t + 29).await.unwrap(),
        0
    );
    assert_eq!(
        webhook::deliver_due(&pool, &client, t + 30).await.unwrap(),
        1
    );
    assert_eq!(
        webhook::deliver_due(&pool, &client, t + 10_000)
            .await
            .unwrap(),
        0
    );
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same id on every try"
    );
    assert!(bodies[0]["id"].as_str().unwrap().starts_with("notice-"));
    assert_eq!(bodies[0]["workspace"], "ws1");
    assert_eq!(bodies[0]["kind"], "Warning7Days");
    assert!(
        bodies[0]["message"]
            .as_str()
            .unwrap()
            .contains("will be permanently deleted on")
    );
}

on_both_engines!(a_dead_webhook_is_given_up_after_24_hours_and_bad_urls_are_refused);
async fn a_dead_webhook_is_given_up_after_24_hours_and_bad_urls_are_refused(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for bad in [
        "ftp://x/y",
        "javascript:alert(1)",
        "http://",
        "http://u:p@host/",
        "not a url",
    ] {
        assert!(
            matches!(
                notices::set_webhook(&pool, &by(&acme, T0), bad, true).await,
                Err(AppError::Invalid(_))
            ),
            "{bad}"
        );
    }
    // A port nothing listens on.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    notices::set_webhook(&pool, &by(&acme, T0), &dead, true)
        .await
        .unwrap();
    workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let t = T0 + 7 * DAY;
    notices::warn_pass(&pool, t).await.unwrap();
    let client = webhook::Sender::new(true);
    let mut now = t;
    for _ in 0..200 {
        webhook::deliver_due(&pool, &client, now).await.unwrap();
        now += 3600;
        if count(
            &pool,
            "SELECT count(*) FROM webhook_outbox WHERE done_at IS NULL",
        )
        .await
            == 0
        {
            break;
        }
    }
    let (outcome, attempts): (String, i64) =
        sqlx::query_as("SELECT outcome, attempts FROM webhook_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(outcome, "GaveUp");
    assert!(now - t <= 26 * 3600, "gave up after about a day");
    assert!(attempts > 5, "{attempts}");
    assert_eq!(
        events(&pool, &acme, by_action("SetWebhook")).await.len(),
        1,
        "only the accepted setting is a change"
    );
}

on_both_engines!(a_delivery_not_sent_within_24_hours_is_given_up_unsent);
async fn a_delivery_not_sent_within_24_hours_is_given_up_unsent(pool: Pool) {
    let (bodies, t) = one_notice_for_a_webhook(&pool, 0).await;
    // Every instance was down for a day and more.
    let client = webhook::Sender::new(true);
    assert_eq!(
        webhook::deliver_due(&pool, &client, t + DAY + 1)
            .await
            .unwrap(),
        0
    );
    assert!(
        bodies.lock().unwrap().is_empty(),
        "nothing is sent days late"
    );
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM webhook_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(outcome, "GaveUp");
}

/// A receiver on a free loopback port that answers 204 and keeps each request's
/// `X-Console-Signature` and body as sent.
async fn signed_receiver() -> (u16, Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let app = {
        let got = got.clone();
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let got = got.clone();
                async move {
                    let signature = headers
                        .get(webhook::SIGNATURE_HEADER)
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default();
                    got.lock().unwrap().push((signature, body));
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, got)
}

/// One notice for acme (ws1's 7-day warning, due at the time answered).
async fn one_notice(pool: &Pool, acme: &Principal) -> i64 {
    workspace(pool, acme, "ws1", false).await;
    deletion::delete(pool, &by(acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let t = T0 + 7 * DAY;
    notices::warn_pass(pool, t).await.unwrap();
    t
}

on_both_engines!(a_webhook_into_the_internal_network_is_refused_when_it_is_set);
async fn a_webhook_into_the_internal_network_is_refused_when_it_is_set(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let (port, got) = signed_receiver().await;
    for (url, rule) in [
        (
            format!("http://127.0.0.1:{port}/hook"),
            "127.0.0.1 is a loopback address",
        ),
        (
            format!("http://localhost:{port}/hook"),
            "localhost resolves to",
        ),
        ("http://[::1]/".into(), "::1 is a loopback address"),
        (
            "http://169.254.169.254/latest/meta-data/".into(),
            "a cloud metadata address",
        ),
        ("http://10.0.0.1/".into(), "a private (RFC 1918) address"),
        (
            "http://192.168.0.10:8080/x?y=1".into(),
            "a private (RFC 1918) address",
        ),
        ("http://0.0.0.0:3000/".into(), "an unspecified address"),
        (
            "http://2130706433/".into(),
            "127.0.0.1 is a loopback address",
        ),
        ("http://0x7f.1/".into(), "127.0.0.1 is a loopback address"),
        ("http://100.64.0.1/".into(), "a shared (CGNAT) address"),
        ("http://[fd00::1]/".into(), "an IPv6 unique local address"),
        (
            "http://[::ffff:127.0.0.1]/".into(),
            "an IPv4-mapped address",
        ),
        ("http://224.0.0.1/".into(), "a multicast address"),
        ("http://255.255.255.255/".into(), "the broadcast address"),
    ] {
        match notices::set_webhook(&pool, &by(&acme, T0), &url, false).await {
            Err(AppError::Invalid(message)) => {
                assert!(
                    message
                        .to_string()
                        .starts_with("A webhook may only be sent to a public address: ")
                        && message.contains(rule),
                    "{url}: {message}"
                );
            }
            other => panic!("{url} was not refused: {other:?}"),
        }
    }
    // Addresses that are not globally routable and the cloud metadata services stay out of reach
    // even where private receivers are allowed, in every form that leads to them.
    for (url, rule) in [
        (
            "http://192.0.2.2:8080/w",
            "192.0.2.2 is a documentation address",
        ),
        ("http://198.18.0.1/", "198.18.0.1 is a benchmarking address"),
        (
            "http://192.0.0.1/",
            "192.0.0.1 is an IETF protocol assignment",
        ),
        (
            "http://192.88.99.1/",
            "192.88.99.1 is a 6to4 relay anycast address",
        ),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        (
            "http://[2001:db8::1]/",
            "2001:db8::1 is a documentation address",
        ),
        ("http://[100::1]/", "100::1 is a discard-only address"),
        (
            "http://[64:ff9b::7f00:1]/",
            "64:ff9b::7f00:1 is a loopback address",
        ),
        (
            "http://[64:ff9b::a9fe:a9fe]/",
            "is a cloud metadata address",
        ),
        (
            "http://[2002:7f00:1::]/",
            "2002:7f00:1:: is a loopback address",
        ),
        (
            "http://[::ffff:0:127.0.0.1]/",
            "is an IPv4-translated address",
        ),
        ("http://169.254.169.254/", "is a cloud metadata address"),
        (
            "http://100.100.100.200/latest/meta-data/",
            "100.100.100.200 is a cloud metadata address (Alibaba Cloud)",
        ),
        (
            "http://[fd00:ec2::254]/latest/meta-data/",
            "fd00:ec2::254 is a cloud metadata address (AWS)",
        ),
    ] {
        match notices::set_webhook(&pool, &by(&acme, T0), url, true).await {
            Err(AppError::Invalid(message)) => {
                assert!(
                    message
                        .to_string()
                        .starts_with("A webhook may only be sent to a public address: ")
                        && message.contains(rule),
                    "{url}: {message}"
                );
            }
            other => panic!("{url} was not refused with private receivers allowed: {other:?}"),
        }
    }
    let saved = notices::webhook(&pool, acme.account_id).await.unwrap();
    assert_eq!(saved.url, "", "nothing was saved");
    assert!(
        events(&pool, &acme, by_action("SetWebhook"))
            .await
            .is_empty()
    );
    assert!(got.lock().unwrap().is_empty());
}

on_both_engines!(a_delivery_into_the_internal_network_is_refused_and_shown_as_the_last_delivery);
async fn a_delivery_into_the_internal_network_is_refused_and_shown_as_the_last_delivery(
    pool: Pool,
) {
    let acme = account(&pool, "acme").await;
    let (port, got) = signed_receiver().await;
    // Set while private receivers were allowed, by a name that resolves to loopback; the operator
    // has since turned the setting off.
    notices::set_webhook(
        &pool,
        &by(&acme, T0),
        &format!("http://localhost:{port}/hook"),
        true,
    )
    .await
    .unwrap();
    let t = one_notice(&pool, &acme).await;
    let public_only = webhook::Sender::new(false);
    assert_eq!(
        webhook::deliver_due(&pool, &public_only, t).await.unwrap(),
        0
    );
    assert!(
        got.lock().unwrap().is_empty(),
        "nothing reached the receiver"
    );
    let (outcome, error, done): (String, String, Option<i64>) =
        sqlx::query_as("SELECT outcome, last_error, done_at FROM webhook_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (outcome.as_str(), done),
        ("GaveUp", Some(t)),
        "refused at once, never retried"
    );
    assert!(error.contains("localhost resolves to"), "{error}");
    let last = notices::webhook(&pool, acme.account_id)
        .await
        .unwrap()
        .last_delivery
        .expect("the refusal is the last delivery");
    assert_eq!(last.at, t);
    assert!(
        last.result.starts_with(
            "Not sent. A webhook may only be sent to a public address: localhost resolves to"
        ),
        "{}",
        last.result
    );
    // Nothing is tried again later.
    assert_eq!(
        webhook::deliver_due(&pool, &public_only, t + DAY)
            .await
            .unwrap(),
        0
    );
    assert!(got.lock().unwrap().is_empty());
}

on_both_engines!(
    a_delivery_to_a_reserved_address_is_refused_even_where_private_receivers_are_allowed
);
async fn a_delivery_to_a_reserved_address_is_refused_even_where_private_receivers_are_allowed(
    pool: Pool,
) {
    let acme = account(&pool, "acme").await;
    let (port, got) = signed_receiver().await;
    notices::set_webhook(
        &pool,
        &by(&acme, T0),
        &format!("http://127.0.0.1:{port}/hook"),
        true,
    )
    .await
    .unwrap();
    // A URL saved before today's rules: each delivery checks its address again.
    sqlx::query("UPDATE account_settings SET webhook_url = $1 WHERE account_id = $2")
        .bind(format!("http://192.0.2.2:{port}/w"))
        .bind(acme.account_id)
        .execute(&pool)
        .await
        .unwrap();
    let t = one_notice(&pool, &acme).await;
    let private_allowed = webhook::Sender::new(true);
    assert_eq!(
        webhook::deliver_due(&pool, &private_allowed, t)
            .await
            .unwrap(),
        0
    );
    let (outcome, error, done): (String, String, Option<i64>) =
        sqlx::query_as("SELECT outcome, last_error, done_at FROM webhook_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (outcome.as_str(), done),
        ("GaveUp", Some(t)),
        "refused at once, never retried"
    );
    assert!(
        error.contains("192.0.2.2 is a documentation address"),
        "{error}"
    );
    assert!(
        got.lock().unwrap().is_empty(),
        "nothing reached the receiver"
    );
}

on_both_engines!(each_delivery_is_signed_with_the_accounts_secret_which_is_shown_once);
async fn each_delivery_is_signed_with_the_accounts_secret_which_is_shown_once(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let (port, got) = signed_receiver().await;
    let url = format!("http://127.0.0.1:{port}/hook");
    let first = notices::set_webhook(&pool, &by(&acme, T0), &url, true)
        .await
        .unwrap()
        .into_inner();
    let secret = first
        .secret
        .expect("the first URL makes the signing secret");
    assert!(
        secret.starts_with("whsec_") && secret.len() == 38,
        "{secret}"
    );
    let again = notices::set_webhook(&pool, &by(&acme, T0), &url, true)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        again.secret, None,
        "the secret is shown only when it is made"
    );
    assert!(
        notices::webhook(&pool, acme.account_id)
            .await
            .unwrap()
            .signed
    );

    let t = one_notice(&pool, &acme).await;
    let sender = webhook::Sender::new(true);
    assert_eq!(webhook::deliver_due(&pool, &sender, t).await.unwrap(), 1);
    let (signature, body) = got.lock().unwrap()[0].clone();
    assert_eq!(signature, webhook::signature(&secret, body.as_bytes()));
    let last = notices::webhook(&pool, acme.account_id)
        .await
        .unwrap()
        .last_delivery
        .unwrap();
    assert_eq!(
        (last.at, last.result.as_str()),
        (t, "Delivered (1 attempt).")
    );

    // A new secret signs the next delivery; the old one no longer matches.
    let rotated = notices::new_webhook_secret(&pool, &by(&acme, t))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(rotated, secret);
    notices::warn_pass(&pool, T0 + 13 * DAY + 1).await.unwrap();
    assert_eq!(
        webhook::deliver_due(&pool, &sender, T0 + 13 * DAY + 1)
            .await
            .unwrap(),
        1
    );
    let (signature, body) = got.lock().unwrap()[1].clone();
    assert_eq!(signature, webhook::signature(&rotated, body.as_bytes()));
    assert_ne!(signature, webhook::signature(&secret, body.as_bytes()));
    assert_eq!(events(&pool, &acme, by_action("SetWebhook")).await.len(), 3);
}

on_both_engines!(
    notices_and_deliveries_written_before_part_three_survive_its_migration,
    engine
);
/// Part three rebuilt the notifications table on SQLite (and changed it in place on PostgreSQL):
/// a database written by the version before opens with every notice, delivery, id and counter.
async fn notices_and_deliveries_written_before_part_three_survive_its_migration(engine: Engine) {
    let url = fresh_database_url(engine).await;
    let last_before = match engine {
        Engine::Sqlite => 11,
        Engine::Postgres => 8,
    };
    let rows = [
        "INSERT INTO accounts (id, name, created_at) VALUES (1, 'acme', 0)",
        "INSERT INTO users (id, account_id, name, is_root, password_hash, created_at)
             VALUES (1, 1, 'acme', TRUE, 'x', 0)",
        "INSERT INTO notifications (id, account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at, read_at)
             VALUES (7, 1, 1, 3, 100, 'Purged', 'old_ws', 200, 300, 301)",
        "INSERT INTO webhook_outbox (id, notification_id, account_id, url, body, created_at, next_attempt_at, attempts, done_at, outcome, last_attempt_at)
             VALUES (5, 7, 1, 'https://example.com/h', '{}', 300, 300, 2, 310, 'Delivered', 310)",
        // A notice whose row is gone: its id is never handed out again.
        "INSERT INTO notifications (id, account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at)
             VALUES (9, 1, 1, 4, 100, 'Purged', 'gone_ws', 200, 300)",
        "DELETE FROM notifications WHERE id = 9",
    ];
    match engine {
        Engine::Sqlite => {
            use sqlx::{ConnectOptions, sqlite::SqliteConnectOptions};
            use std::str::FromStr;
            let mut conn = SqliteConnectOptions::from_str(&url)
                .unwrap()
                .create_if_missing(true)
                .foreign_keys(true)
                .connect()
                .await
                .unwrap();
            let mut before = sqlx::migrate!("migrations/sqlite");
            before.migrations = before
                .migrations
                .iter()
                .filter(|m| m.version <= last_before)
                .cloned()
                .collect();
            before.run(&mut conn).await.unwrap();
            for sql in rows {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
        Engine::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let mut before = sqlx::migrate!("migrations/postgres");
            before.migrations = before
                .migrations
                .iter()
                .filter(|m| m.version <= last_before)
                .cloned()
                .collect();
            before.run(&mut conn).await.unwrap();
            for sql in rows {
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
    }
    let pool = workspace_console::store::connect(&url).await.unwrap();
    let kept: (i64, String, Option<i64>, Option<i64>, String) =
        sqlx::query_as("SELECT id, workspace, purge_at, read_at, detail FROM notifications")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        kept,
        (7, "old_ws".into(), Some(200), Some(301), String::new())
    );
    let delivery: (i64, i64, Option<String>, Option<i64>) =
        sqlx::query_as("SELECT id, notification_id, outcome, last_attempt_at FROM webhook_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(delivery, (5, 7, Some("Delivered".into()), Some(310)));
    // The delivery still goes with its notice.
    let acme = workspace_console::identity::service::load_principal(&pool, 1)
        .await
        .unwrap()
        .unwrap();
    bin::set_purge_protection(&pool, &by(&acme, 400), true)
        .await
        .unwrap();
    bin::set_purge_protection(&pool, &by(&acme, 400), false)
        .await
        .unwrap();
    let newest: i64 = sqlx::query_scalar("SELECT max(id) FROM notifications")
        .fetch_one(&pool)
        .await
        .unwrap();
    if engine == Engine::Sqlite {
        assert!(
            newest > 9,
            "a new notice takes no id handed out before ({newest})"
        );
    }
    sqlx::query("DELETE FROM notifications WHERE id = 7")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(count(&pool, "SELECT count(*) FROM webhook_outbox").await, 0);
    pool.close().await;
    drop_database(&url).await;
}
