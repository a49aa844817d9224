//! Choosing the console's language (SPEC §24): the select "Language" in the header and on the
//! sign-in and sign-up pages. The choice is a cookie, set by the server as the choice is made, so
//! the next page already comes in that language; the browser switches the page it shows at once.
use crate::error::AppError;
use leptos::prelude::*;

pub mod ui;

/// A year: the choice outlives sessions, as the browser's own language setting does.
#[cfg(feature = "ssr")]
const COOKIE_MAX_AGE_SECS: u32 = 365 * 24 * 3600;

/// Keeps `lang` (`en`, `zh-CN`) as the viewer's language and answers with its table of texts,
/// which the browser has not yet (empty for English, built into the browser). Anyone may choose,
/// signed in or not. A form sent without WASM (the plain sign-in page) is sent back to its page.
#[server(prefix = "/api", endpoint = "set_language", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_language(lang: String) -> Result<Vec<String>, AppError> {
    use crate::i18n::{COOKIE, Lang, Msg, k, table};
    use crate::server::public;
    use axum::http::{HeaderValue, header};
    public(|_| async move {
        let chosen = Lang::from_tag(&lang).ok_or_else(|| {
            AppError::Invalid(
                Msg::new(k::error_unknown_language).with("lang", crate::domain::text::echo(&lang)),
            )
        })?;
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let cookie = format!(
                "{COOKIE}={}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; SameSite=Lax; HttpOnly",
                chosen.tag()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.append_header(header::SET_COOKIE, value);
            }
        }
        Ok(table(chosen))
    })
    .await
}
