//! The console's language (SPEC §24) over HTTP: each page comes in the language of the cookie,
//! else of `Accept-Language`; `set_language` keeps the choice and sends the texts; a refusal
//! carries its message's key and parameters, so the page words it in either language, while the
//! English `message` stays as it was.
use crate::helpers::*;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, COOKIE, LOCATION, REFERER, SET_COOKIE};
use workspace_console::error::AppError;
use workspace_console::i18n::{COUNT, Lang};
use workspace_console::store::Pool;

async fn page(
    app: &TestApp,
    path: &str,
    headers: &[(reqwest::header::HeaderName, &str)],
) -> String {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.url));
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

on_both_engines!(each_page_comes_in_the_chosen_language);
async fn each_page_comes_in_the_chosen_language(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let english = page(&app, "/login", &[]).await;
    assert!(english.contains(r#"<html lang="en""#), "{english}");
    assert!(english.contains("<title>Workspace Console</title>"));
    // English is built into the browser's code: an English page carries no table.
    assert!(!english.contains("console-texts"));
    for accept in ["zh-CN", "zh", "zh-Hans-CN,en;q=0.5", "fr, zh;q=0.8"] {
        let chinese = page(&app, "/login", &[(ACCEPT_LANGUAGE, accept)]).await;
        assert!(chinese.contains(r#"<html lang="zh-CN""#), "{accept}");
        assert!(
            chinese.contains("<title>工作空间控制台</title>"),
            "{accept}"
        );
        assert!(chinese.contains(r#"<script type="application/json" id="console-texts">"#));
        assert!(
            chinese.contains(r#"<option value="zh-CN" selected"#),
            "{accept}"
        );
    }
    for accept in ["zh-TW", "en-US,zh;q=0.5", "de"] {
        let shown = page(&app, "/login", &[(ACCEPT_LANGUAGE, accept)]).await;
        assert!(shown.contains(r#"<html lang="en""#), "{accept}");
    }
    // The cookie outweighs the browser's setting, both ways; an unknown one is no choice.
    let chosen = |cookie: &'static str| [(COOKIE, cookie), (ACCEPT_LANGUAGE, "zh-CN")];
    let english = page(&app, "/login", &chosen("console_lang=en")).await;
    assert!(english.contains(r#"<html lang="en""#));
    let chinese = page(&app, "/login", &chosen("other=1; console_lang=zh-CN")).await;
    assert!(chinese.contains(r#"<html lang="zh-CN""#));
    let unknown = page(&app, "/login", &chosen("console_lang=fr")).await;
    assert!(unknown.contains(r#"<html lang="zh-CN""#));
}

on_both_engines!(the_choice_is_kept_and_the_texts_sent);
async fn the_choice_is_kept_and_the_texts_sent(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Who::Alice.credentials()).await;
    let res = client
        .post(format!("{}/api/set_language", app.url))
        .form(&[("lang", "zh-CN")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("console_lang=zh-CN;"), "{cookie}");
    assert!(
        cookie.contains("Path=/") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let texts: Vec<String> = res.json().await.unwrap();
    assert_eq!(texts.len(), COUNT);
    assert!(texts.iter().any(|t| t == "工作空间控制台"));
    // The next page comes in that language, for the same signed-in session.
    let workspaces = client
        .get(format!("{}/workspaces", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(workspaces.contains(r#"<html lang="zh-CN""#));
    assert!(workspaces.contains("sales_dw"), "user data stays as typed");
    // English: the browser has its texts already.
    let (status, body) = app
        .call(&client, "set_language", &[("lang", s("en"))])
        .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "[]"));
    let signed_out = app.client(None).await;
    let (status, _) = app
        .call(&signed_out, "set_language", &[("lang", s("zh-CN"))])
        .await;
    assert_eq!(status, StatusCode::OK, "anyone may choose");
}

on_both_engines!(a_language_the_console_has_not_is_refused_and_sets_nothing);
async fn a_language_the_console_has_not_is_refused_and_sets_nothing(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(None).await;
    for lang in [
        "fr",
        "",
        "ZH-cn",
        "zh-CN ",
        "zh-CN\u{202e}",
        &"x".repeat(5000),
    ] {
        let res = client
            .post(format!("{}/api/set_language", app.url))
            .form(&[("lang", lang)])
            .send()
            .await
            .unwrap();
        assert!(res.headers().get(SET_COOKIE).is_none(), "{lang:?}");
        let (status, kind, message) = console_error(res).await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "Invalid")
        );
        assert!(message.contains("choose en or zh-CN"), "{message}");
        assert!(
            message.len() < 200,
            "the refusal echoes a bounded part: {message}"
        );
    }
    for body in ["", "language=zh-CN", "lang=zh-CN&lang=en", "lang=%FF"] {
        let res = client
            .post(format!("{}/api/set_language", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{body:?}: {}", res.status());
        assert!(res.headers().get(SET_COOKIE).is_none(), "{body:?}");
    }
}

on_both_engines!(a_form_sent_without_wasm_returns_to_its_page_in_that_language);
async fn a_form_sent_without_wasm_returns_to_its_page_in_that_language(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(format!("{}/api/set_language", app.url))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(REFERER, format!("{}/login", app.url))
        .header("origin", &app.url)
        .form(&[("lang", "zh-CN")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    // Back to the page it came from (leptos keeps the address's query, here empty).
    let location = res.headers()[LOCATION].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{}/login", app.url)),
        "{location}"
    );
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("console_lang=zh-CN;"), "{cookie}");
}

on_both_engines!(a_refusal_travels_as_a_key_and_reads_in_both_languages);
async fn a_refusal_travels_as_a_key_and_reads_in_both_languages(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Who::Alice.credentials()).await;
    let create = |name: &str| {
        vec![
            ("name", s(name)),
            ("display_name", s("")),
            ("description", s("")),
            ("data_modeling", s(false)),
        ]
    };
    // A taken name, a name reserved by the Recycle Bin, a name that breaks the rules, a display
    // name with a line break (a refusal naming its field).
    let mut bad_display = create("fresh_name");
    bad_display[1].1 = s("two\nlines");
    for args in [
        create("SALES_DW"),
        create("legacy_reports"),
        create("bad-name"),
        bad_display,
    ] {
        let (status, body) = app.call(&client, "create_workspace", &args).await;
        assert!(status.is_client_error(), "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let key = json["key"]
            .as_str()
            .unwrap_or_else(|| panic!("no key: {body}"));
        assert!(key.starts_with("error_"), "{body}");
        let error: AppError = serde_json::from_str(&body).unwrap();
        // The English is the API's message as it always was; the page can word it in 简体中文.
        assert_eq!(error.in_lang(Lang::En), json["message"].as_str().unwrap());
        let chinese = error.in_lang(Lang::ZhCn);
        assert!(is_chinese(&chinese), "{chinese}");
        assert!(
            !chinese.contains('{'),
            "every parameter filled in: {chinese}"
        );
    }
}
