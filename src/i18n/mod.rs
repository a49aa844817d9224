//! The console's two languages (SPEC §24). Every text a user reads comes from `locales/en.json`
//! and `locales/zh-CN.json`, which `build.rs` turns into one table per language, indexed by the
//! keys of [`k`]; a key or a `{parameter}` missing in either language stops the build. English is
//! built into the browser's code; another language's table is sent with a page in it (`shell`)
//! or fetched when the viewer switches (`language`), so it never costs an English page a byte.
//!
//! The bottom floor: the error type words its messages with these tables.
use leptos::prelude::*;
use std::fmt;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// One text of the tables: `k::sign_in`, … Its place in the tables and its English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    at: usize,
    en: &'static str,
}

impl Key {
    const fn new(at: usize, en: &'static str) -> Key {
        Key { at, en }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

/// The cookie that keeps the viewer's choice.
pub const COOKIE: &str = "console_lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// Its BCP 47 tag: the `<html lang>`, the cookie's value, the select's value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Its own name, the same in every language: what the select "Language" offers.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.tag() == tag)
    }

    /// The text of `key` in this language.
    pub fn text(self, key: Key) -> &'static str {
        match self {
            Lang::En => key.en,
            Lang::ZhCn => zh_cn().map_or(key.en, |table| table[key.at]),
        }
    }

    /// The text of `key` with its `{name}`s filled in.
    pub fn fill(self, key: Key, params: &[(&str, &dyn fmt::Display)]) -> String {
        fill(self.text(key), params)
    }

    /// A date and time ("2026-12-06 23:19:05", "2026年12月6日 23:19:05").
    pub fn date_time(self, y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> String {
        match self {
            Lang::En => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
            Lang::ZhCn => format!("{y}年{mo}月{d}日 {h:02}:{mi:02}:{s:02}"),
        }
    }

    /// The Recycle Bin's countdown ("13d 23h 59m 58s", "13天 23时 59分 58秒").
    pub fn countdown(self, secs: i64) -> String {
        let secs = secs.max(0);
        self.fill(
            k::countdown,
            &[
                ("d", &(secs / 86_400)),
                ("h", &(secs % 86_400 / 3_600)),
                ("m", &(secs % 3_600 / 60)),
                ("s", &(secs % 60)),
            ],
        )
    }
}

/// `template` with each `{name}` of `params` replaced by its value.
pub fn fill(template: &str, params: &[(&str, &dyn fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match params.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(&value.to_string()),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A text cut at its `{name}`s: `(false, text)` and `(true, name)` in turn, for a sentence that
/// sets some of its parts apart (a link, code) wherever the language puts them.
pub fn pieces(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push((false, &rest[..open]));
        }
        out.push((true, &rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// The language a page is rendered in: the viewer's choice (the cookie), else the browser's
/// (`Accept-Language`: the supported language it weighs highest; `zh`, `zh-CN`, `zh-SG`,
/// `zh-Hans…` are 简体中文), else English.
pub fn choose(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = cookie.and_then(Lang::from_tag) {
        return lang;
    }
    let Some(header) = accept_language else {
        return Lang::En;
    };
    let mut ranges: Vec<(f32, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(at, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && q > 0.0 && q <= 1.0).then_some((q, at, tag))
        })
        .collect();
    // Highest weight first; equal weights in the order given.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges
        .into_iter()
        .find_map(|(_, _, tag)| supported(tag))
        .unwrap_or(Lang::En)
}

/// The console's language for one `Accept-Language` range, if it has one.
fn supported(range: &str) -> Option<Lang> {
    let lower = range.to_ascii_lowercase();
    let mut subtags = lower.split(['-', '_']);
    match subtags.next()? {
        "zh" => match subtags.next() {
            None | Some("cn" | "sg" | "hans") => Some(Lang::ZhCn),
            // Traditional Chinese (zh-Hant, zh-TW, zh-HK, …) is not offered.
            Some(_) => None,
        },
        "en" | "*" => Some(Lang::En),
        _ => None,
    }
}

/// The language of the page the server is rendering: from the request's cookie and
/// `Accept-Language`. In the browser, the language the server rendered the page in.
pub fn page_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .map(|parts| {
                let header = |name| {
                    parts
                        .headers
                        .get_all(name)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let cookies = header(axum::http::header::COOKIE);
                let cookie = cookies
                    .split([';', ','])
                    .filter_map(|c| c.trim().split_once('='))
                    .find(|(name, _)| *name == COOKIE)
                    .map(|(_, value)| value.trim().to_owned());
                let accept = header(axum::http::header::ACCEPT_LANGUAGE);
                choose(cookie.as_deref(), (!accept.is_empty()).then_some(&accept))
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| Lang::from_tag(&html.get_attribute("lang")?))
            .unwrap_or_default()
    }
}

#[cfg(feature = "ssr")]
fn zh_cn() -> Option<&'static [&'static str; COUNT]> {
    Some(&ZH_CN)
}

/// The 简体中文 table in the browser, once the page has brought it or it has been fetched.
#[cfg(not(feature = "ssr"))]
static ZH_CN_LOADED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

#[cfg(not(feature = "ssr"))]
fn zh_cn() -> Option<&'static [&'static str]> {
    ZH_CN_LOADED.get().map(Vec::as_slice)
}

/// Whether `lang`'s table is here (English always is).
pub fn is_loaded(lang: Lang) -> bool {
    lang == Lang::En || zh_cn().is_some()
}

/// Keeps a table the browser received, if it has every key. Leaked once: it lives as long as the
/// page, like the built-in English.
#[cfg(not(feature = "ssr"))]
pub fn load(lang: Lang, texts: Vec<String>) -> bool {
    if lang != Lang::ZhCn || texts.len() != COUNT {
        return false;
    }
    let texts: Vec<&'static str> = texts
        .into_iter()
        .map(|t| &*Box::leak(t.into_boxed_str()))
        .collect();
    let _ = ZH_CN_LOADED.set(texts);
    true
}

/// The table a page in `lang` brings with it (in `<script type="application/json" id=…>`): read
/// before the page hydrates, so it hydrates in its own language.
pub const TABLE_ELEMENT_ID: &str = "console-texts";

#[cfg(not(feature = "ssr"))]
pub fn load_from_page() {
    let lang = page_lang();
    if lang == Lang::En {
        return;
    }
    let texts = document()
        .get_element_by_id(TABLE_ELEMENT_ID)
        .and_then(|script| script.text_content())
        .and_then(|json| js_sys::JSON::parse(&json).ok())
        .map(|array| {
            js_sys::Array::from(&array)
                .iter()
                .filter_map(|v| v.as_string())
                .collect::<Vec<_>>()
        });
    if let Some(texts) = texts {
        load(lang, texts);
    }
}

/// The table a page in `lang` brings along, as JSON (`None` for English, which the browser
/// has; always `None` in the browser, which renders no page's head).
pub fn page_table(lang: Lang) -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        match lang {
            Lang::En => None,
            Lang::ZhCn => Some(ZH_CN_JSON),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = lang;
        None
    }
}

/// The table of `lang` as a list, for the browser that switches to it.
#[cfg(feature = "ssr")]
pub fn table(lang: Lang) -> Vec<String> {
    match lang {
        Lang::En => Vec::new(),
        Lang::ZhCn => ZH_CN.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// The page's language, for every component under the console (`provide`): switching it changes
/// every text at once and nothing else. On the server it is the request's language, fixed: a page
/// rendered there never switches, so its texts are read without a signal.
#[derive(Clone, Copy)]
pub struct I18n(
    #[cfg(feature = "ssr")] Lang,
    #[cfg(not(feature = "ssr"))] RwSignal<Lang>,
);

impl I18n {
    fn new(lang: Lang) -> I18n {
        #[cfg(feature = "ssr")]
        {
            I18n(lang)
        }
        #[cfg(not(feature = "ssr"))]
        {
            I18n(RwSignal::new(lang))
        }
    }

    /// Provides the page's language to everything below, unless it is provided already (the
    /// server's shell provides it once per request).
    pub fn provide() -> I18n {
        use_context::<I18n>().unwrap_or_else(|| {
            let i18n = I18n::new(page_lang());
            provide_context(i18n);
            i18n
        })
    }

    /// The language now, tracked.
    pub fn lang(self) -> Lang {
        #[cfg(feature = "ssr")]
        {
            self.0
        }
        #[cfg(not(feature = "ssr"))]
        {
            self.0.get()
        }
    }

    pub fn lang_untracked(self) -> Lang {
        #[cfg(feature = "ssr")]
        {
            self.0
        }
        #[cfg(not(feature = "ssr"))]
        {
            self.0.get_untracked()
        }
    }

    /// Switches the page (in the browser; a page the server renders keeps its language).
    pub fn set(self, lang: Lang) {
        #[cfg(feature = "ssr")]
        let _ = lang;
        #[cfg(not(feature = "ssr"))]
        self.0.set(lang);
    }

    /// The text of `key` now, tracked.
    pub fn t(self, key: Key) -> &'static str {
        self.lang().text(key)
    }

    /// The text of `key`, following the language: a view child or an attribute value.
    pub fn text(self, key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || self.t(key)
    }

    /// The text of `key` with its parameters, now, tracked.
    pub fn fill(self, key: Key, params: &[(&str, &dyn fmt::Display)]) -> String {
        self.lang().fill(key, params)
    }

    /// A message in the language now, tracked.
    pub fn msg(self, msg: &Msg) -> String {
        msg.in_lang(self.lang())
    }
}

/// The page's language: provided by the console (`app::App`), English where nothing provides one
/// (a component rendered alone in a test).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(Lang::En))
}

/// A message of the console: a key and its parameters, worded in the reader's language where it
/// is shown (the API and the logs use its English). A plain message is text from elsewhere,
/// shown as it is.
#[derive(Clone, Debug)]
pub struct Msg {
    key: Option<Key>,
    /// The English as it came with a refusal (the browser knows a refusal's key by its place only).
    english: Option<String>,
    /// The parameters; for a plain message, its one text under "".
    params: Vec<(String, String)>,
    /// Parameters that are themselves texts of the tables (a field's name), worded with it.
    texts: Vec<(String, Key)>,
}

impl Msg {
    pub fn new(key: Key) -> Msg {
        Msg {
            key: Some(key),
            english: None,
            params: Vec::new(),
            texts: Vec::new(),
        }
    }

    /// The message with `{name}` worded as the text `key` (a `field_…` key).
    pub fn with_text(mut self, name: &str, key: Key) -> Msg {
        self.texts.push((name.to_owned(), key));
        self
    }

    pub fn texts(&self) -> &[(String, Key)] {
        &self.texts
    }

    /// The message with `{name}` worded as `value`.
    pub fn with(mut self, name: &str, value: impl fmt::Display) -> Msg {
        self.params.push((name.to_owned(), value.to_string()));
        self
    }

    pub fn plain(text: impl Into<String>) -> Msg {
        Msg {
            key: None,
            english: None,
            params: vec![(String::new(), text.into())],
            texts: Vec::new(),
        }
    }

    pub fn key(&self) -> Option<Key> {
        self.key
    }

    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// Read back from the wire: a key the browser knows, else the plain English it came with.
    pub fn from_wire(
        key: Option<&str>,
        params: Vec<(String, String)>,
        texts: Vec<(String, String)>,
        english: String,
    ) -> Msg {
        Msg::from_wire_by(by_name, key, params, texts, english)
    }

    /// [`Msg::from_wire`] with the message's key found by `find`.
    fn from_wire_by(
        find: fn(&str) -> Option<Key>,
        key: Option<&str>,
        params: Vec<(String, String)>,
        texts: Vec<(String, String)>,
        english: String,
    ) -> Msg {
        let texts: Option<Vec<(String, Key)>> = texts
            .into_iter()
            .map(|(name, key)| Some((name, by_name(&key)?)))
            .collect();
        match (key.and_then(find), texts) {
            (Some(key), Some(texts)) => Msg {
                key: Some(key),
                english: Some(english),
                params,
                texts,
            },
            _ => Msg::plain(english),
        }
    }

    pub fn in_lang(&self, lang: Lang) -> String {
        if let (Lang::En, Some(english)) = (lang, &self.english) {
            return english.clone();
        }
        let texts: Vec<(&str, &'static str)> = self
            .texts
            .iter()
            .map(|(n, key)| (n.as_str(), lang.text(*key)))
            .collect();
        let params: Vec<(&str, &dyn fmt::Display)> = self
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v as &dyn fmt::Display))
            .chain(texts.iter().map(|(n, t)| (*n, t as &dyn fmt::Display)))
            .collect();
        match self.key {
            // A table not (yet) here: the English the refusal came with.
            Some(key) if lang.text(key).is_empty() => self.english.clone().unwrap_or_default(),
            Some(key) => lang.fill(key, &params),
            None => self
                .params
                .first()
                .map(|(_, t)| t.clone())
                .unwrap_or_default(),
        }
    }
}

/// A message as it travels and is stored: its key in the tables and its parameters, worded in
/// the reader's language where it is shown (beside it, the message's English: a refused row's
/// `message`, an audit event's `message`).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, miniserde::Deserialize,
)]
pub struct Worded {
    pub key: String,
    pub params: std::collections::BTreeMap<String, String>,
    pub texts: std::collections::BTreeMap<String, String>,
}

impl Worded {
    /// The key and parameters of `msg`, if it is a keyed one.
    #[cfg(feature = "ssr")]
    pub fn of(msg: &Msg) -> Option<Worded> {
        let key = name_of(msg.key()?);
        if key.is_empty() {
            return None;
        }
        let texts = msg
            .texts()
            .iter()
            .map(|(name, key)| {
                Some((
                    name.clone(),
                    Some(name_of(*key)).filter(|n| !n.is_empty())?.to_owned(),
                ))
            })
            .collect::<Option<_>>()?;
        Some(Worded {
            key: key.to_owned(),
            params: msg.params().iter().cloned().collect(),
            texts,
        })
    }

    /// A message worded in the reader's language when it came `worded` (a refusal's key or an
    /// audit event's), else its English.
    pub fn msg(worded: Option<&Worded>, english: &str) -> Msg {
        match worded {
            Some(w) => Msg::from_wire_by(
                |name| by_name(name).or_else(|| by_event_name(name)),
                Some(&w.key),
                w.params.clone().into_iter().collect(),
                w.texts.clone().into_iter().collect(),
                english.to_owned(),
            ),
            None => Msg::plain(english),
        }
    }
}

/// Its English.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.in_lang(Lang::En))
    }
}

/// Two messages are the same when they read the same in English.
impl PartialEq for Msg {
    fn eq(&self, other: &Msg) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Msg {}

impl PartialEq<&str> for Msg {
    fn eq(&self, other: &&str) -> bool {
        self.to_string() == *other
    }
}

impl Msg {
    /// Whether its English holds `part`.
    pub fn contains(&self, part: &str) -> bool {
        self.to_string().contains(part)
    }
}

impl From<String> for Msg {
    fn from(text: String) -> Msg {
        Msg::plain(text)
    }
}

impl From<&str> for Msg {
    fn from(text: &str) -> Msg {
        Msg::plain(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_decides_first() {
        assert_eq!(choose(Some("zh-CN"), Some("en-US")), Lang::ZhCn);
        assert_eq!(choose(Some("en"), Some("zh-CN")), Lang::En);
    }

    #[test]
    fn an_unknown_cookie_is_no_choice() {
        assert_eq!(choose(Some("fr"), Some("zh")), Lang::ZhCn);
        assert_eq!(choose(Some(""), None), Lang::En);
    }

    #[test]
    fn simplified_chinese_in_every_spelling() {
        for header in [
            "zh",
            "zh-CN",
            "zh-cn",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-SG",
            "zh_CN",
        ] {
            assert_eq!(choose(None, Some(header)), Lang::ZhCn, "{header}");
        }
    }

    #[test]
    fn traditional_chinese_and_other_languages_are_english() {
        for header in [
            "zh-TW",
            "zh-Hant",
            "zh-HK",
            "fr",
            "de-DE, ja",
            "",
            "en-US",
            "*",
        ] {
            assert_eq!(choose(None, Some(header)), Lang::En, "{header}");
        }
        assert_eq!(choose(None, None), Lang::En);
    }

    #[test]
    fn weights_decide_not_the_order() {
        assert_eq!(choose(None, Some("en;q=0.5, zh-CN;q=0.9")), Lang::ZhCn);
        assert_eq!(choose(None, Some("zh-CN;q=0.4, en-GB;q=0.8")), Lang::En);
        assert_eq!(choose(None, Some("zh;q=0, en;q=0.1")), Lang::En);
        // Equal weights: the first named.
        assert_eq!(choose(None, Some("zh-Hans, en")), Lang::ZhCn);
        assert_eq!(choose(None, Some("en, zh-Hans")), Lang::En);
    }

    #[test]
    fn an_unsupported_first_choice_falls_to_the_next() {
        assert_eq!(
            choose(None, Some("fr-FR, zh-CN;q=0.8, en;q=0.5")),
            Lang::ZhCn
        );
        assert_eq!(choose(None, Some("zh-TW, zh;q=0.8")), Lang::ZhCn);
    }

    #[test]
    fn malformed_weights_are_ignored() {
        assert_eq!(choose(None, Some("zh;q=abc, en;q=0.3")), Lang::En);
        assert_eq!(choose(None, Some("zh;q=2, en")), Lang::En);
        assert_eq!(choose(None, Some(",,;q=1, zh-CN ; q=0.7")), Lang::ZhCn);
    }

    #[test]
    fn parameters_are_filled_in_and_unknown_ones_kept() {
        assert_eq!(fill("{a} and {b}", &[("a", &1), ("b", &"x")]), "1 and x");
        assert_eq!(fill("{a} {c} {", &[("a", &1)]), "1 {c} {");
    }

    #[test]
    fn dates_and_countdowns_per_language() {
        assert_eq!(
            Lang::En.date_time(2026, 12, 6, 23, 19, 5),
            "2026-12-06 23:19:05"
        );
        assert_eq!(
            Lang::ZhCn.date_time(2026, 12, 6, 23, 19, 5),
            "2026年12月6日 23:19:05"
        );
        assert_eq!(Lang::En.countdown(13 * 86_400 + 3_661), "13d 1h 1m 1s");
        assert_eq!(
            Lang::ZhCn.countdown(13 * 86_400 + 3_661),
            "13天 1时 1分 1秒"
        );
        assert_eq!(Lang::En.countdown(-5), "0d 0h 0m 0s");
    }

    #[test]
    fn a_message_reads_in_each_language_and_compares_in_english() {
        let msg = Msg::new(k::countdown)
            .with("d", 1)
            .with("h", 2)
            .with("m", 3)
            .with("s", 4);
        assert_eq!(msg.to_string(), "1d 2h 3m 4s");
        assert_eq!(msg.in_lang(Lang::ZhCn), "1天 2时 3分 4秒");
        assert_eq!(msg, Msg::plain("1d 2h 3m 4s"));
        assert_eq!(Msg::plain("as typed").in_lang(Lang::ZhCn), "as typed");
    }
}

/// What `build.rs` refuses: the build of a table whose languages do not match.
#[cfg(all(test, feature = "ssr"))]
mod build_check {
    #![allow(dead_code)]
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/build.rs"));

    fn table(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn matching_tables_pass() {
        let en = table(&[("a_b", "Page {page} of {pages}"), ("c", "OK")]);
        let zh = table(&[("a_b", "第 {page} 页，共 {pages} 页"), ("c", "确定")]);
        assert_eq!(check(&[en, zh]), Vec::<String>::new());
    }

    #[test]
    fn a_key_missing_or_extra_in_a_translation_fails() {
        let en = table(&[("a", "A"), ("b", "B")]);
        let zh = table(&[("a", "甲"), ("c", "丙")]);
        assert_eq!(
            check(&[en, zh]),
            [
                "zh-CN.json has no \"b\"",
                "zh-CN.json has \"c\", which en.json has not"
            ]
        );
    }

    #[test]
    fn a_parameter_missing_or_renamed_fails() {
        let en = table(&[("a", "{n} seconds"), ("b", "{name} in {workspace}")]);
        let zh = table(&[("a", "秒"), ("b", "{workspace} 中的 {nam}")]);
        let problems = check(&[en, zh]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|p| p.contains("parameters")));
    }

    #[test]
    fn keys_are_lower_snake_case() {
        let en = table(&[("Bad-Key", "x")]);
        let zh = table(&[("Bad-Key", "x")]);
        assert_eq!(check(&[en, zh]).len(), 1);
    }

    /// The real files pass (the build has checked them; this says it in a test too).
    #[test]
    fn the_locale_files_match() {
        // Tests run in the crate's folder, as the build script does.
        let tables: Vec<_> = LOCALES.iter().map(|(file, _)| read_locale(file)).collect();
        assert_eq!(check(&tables), Vec::<String>::new());
    }
}
