//! The select "Language".
use super::set_language;
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
    let switch = Action::new(move |lang: &Lang| {
        let lang = *lang;
        async move { (lang, set_language(lang.tag().to_owned()).await) }
    });
    Effect::new(move |_| {
        if let Some((lang, Ok(texts))) = switch.value().get() {
            show_in(i, lang, texts);
        }
    });
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
                        switch.dispatch(lang);
                    }
                }
            >
                {Lang::ALL
                    .map(|lang| view! { <option value=lang.tag() selected=lang == now>{lang.name()}</option> })}
            </select>
            <noscript><button type="submit">{i.text(k::language_apply)}</button></noscript>
        </form>
    }
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
