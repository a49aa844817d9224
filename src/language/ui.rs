//! The select "Language".
use super::set_language;
use crate::error::AppError;
use crate::i18n::{I18n, Lang, k, use_i18n};
use leptos::prelude::*;

/// The select "Language" in a form that posts the choice, so it works before (and without) the
/// page's code: on the plain sign-in page a one-line script sends the form when the choice
/// changes (`app::shell`), with JavaScript off a button does. Once the page has hydrated the
/// choice is made in place: the server keeps it and sends the language's texts, and every text of
/// the page changes at once, with nothing else lost.
#[component]
pub fn LanguageSelect() -> impl IntoView {
    let i = use_i18n();
    let now = i.lang_untracked();
    view! {
        <form class="language" method="post" action="/api/set_language">
            <label for="language">{i.text(k::language)}</label>
            <select
                id="language"
                name="lang"
                data-submit-on-change=""
                on:change=move |ev| {
                    if let Some(lang) = Lang::from_tag(&event_target_value(&ev)) {
                        leptos::task::spawn_local(async move {
                            if let Ok(switching) = switch_to(i, lang).await {
                                switching.await;
                            }
                        });
                    }
                }
            >
                // Written out, not mapped over `Lang::ALL`: 1.4 kB less of the main WASM at brotli-11
                // (236,164 bytes against 237,548, issue 47).
                <option value="en" selected=now == Lang::En>"English"</option>
                <option value="zh-CN" selected=now == Lang::ZhCn>"简体中文"</option>
            </select>
            <noscript><button type="submit">{i.text(k::language_apply)}</button></noscript>
        </form>
    }
}

type Switching = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

// Switching (the server call, reading the table) is code a page needs only once the viewer
// chooses: it loads then, on its own, and leaves the first load (issue 47: with `by_name`'s search
// by halves and `ui::sentence`, the main WASM went from 240,251 to 237,548 bytes at brotli-11).
// When it cannot load, the page stays as it is.
#[leptos::wasm_split::wasm_split(language_switch, wasm_split_path = ::leptos::wasm_split, fallible)]
fn switch_to(i: I18n, lang: Lang) -> Result<Switching, AppError> {
    Ok(Box::pin(async move {
        if let Ok(texts) = set_language(lang.tag().to_owned()).await {
            show_in(i, lang, texts);
        }
    }))
}

/// Shows the page in `lang`, with its texts (`texts` is empty when the browser has them).
fn show_in(i: I18n, lang: Lang, texts: Vec<String>) {
    #[cfg(not(feature = "ssr"))]
    if !texts.is_empty() {
        crate::i18n::load(lang, texts);
    }
    #[cfg(feature = "ssr")]
    let _ = texts;
    if !crate::i18n::is_loaded(lang) {
        return;
    }
    i.set(lang);
    let document = document();
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", lang.tag());
    }
    document.set_title(lang.text(k::product_name));
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    #[test]
    fn the_select_offers_every_language_by_its_own_name() {
        // The options are written out in `LanguageSelect`: they must stay these.
        assert_eq!(Lang::ALL.map(Lang::tag), ["en", "zh-CN"]);
        assert_eq!(Lang::ALL.map(Lang::name), ["English", "简体中文"]);
    }
}
