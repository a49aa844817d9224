use crate::assets::datastudio_ui::DataStudioPage;
use crate::assets::ui::{AssetListPage, WorkspaceOverviewPage};
use crate::audit::ui::AuditLogPage;
use crate::domain::Viewer;
use crate::error::AppError;
use crate::i18n::{I18n, k, use_i18n};
use crate::identity::current_viewer;
use crate::identity::ui::{LoginPage, RamUsersPage, SignOutButton, SignUpPage};
use crate::language::ui::LanguageSelect;
use crate::notifications::ui::NotificationsButton;
use crate::operations::ui::OperationCenterPage;
use crate::recycle_bin::entry_ui::BinEntryPage;
use crate::recycle_bin::ui::RecycleBinPage;
use crate::ui::{ErrorNote, NavLink, NoPermission};
use crate::workspaces::ui::WorkspacesPage;
use leptos::prelude::*;
use leptos_meta::HashedStylesheet;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(csp) =
        axum::http::HeaderValue::from_str(&crate::server::http::page_csp(&nonce.to_string()))
    {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, csp);
    }
    let scripts = !is_plain_html_page();
    // The request's language, read once: `App` and every component below take it from here.
    let lang = I18n::provide().lang_untracked();
    // A page in a language the browser's code does not have built in brings that language's
    // texts, read before the page hydrates (`crate::hydrate`); JSON, so no script runs.
    let texts = crate::i18n::page_table(lang).map(|json| {
        view! { <script type="application/json" id=crate::i18n::TABLE_ELEMENT_ID inner_html=json></script> }
    });
    // The plain sign-in page has no WASM: this line sends the form "Language" when the choice
    // changes (with JavaScript off, the form's button does).
    let nonce = leptos::nonce::use_nonce();
    let submit_on_change = (!scripts).then(|| {
        view! {
            <script nonce=nonce inner_html="for(const s of document.querySelectorAll('select[data-submit-on-change]'))s.addEventListener('change',()=>s.form.submit())"></script>
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                {scripts.then(|| view! { <HydrationScripts options/> })}
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                // Every page has this title, so it is plain HTML: no leptos_meta in the WASM.
                // Its text as the element's content: a text child would carry a hydration marker (`<!>`),
                // which a title shows as text.
                <title inner_html=lang.text(k::product_name)></title>
                {texts}
            </head>
            // `data-hydrated` marks a page ready for input: set by the WASM once it has hydrated,
            // or at once on a page that has no WASM.
            <body data-hydrated=(!scripts).then_some("true")>
                <App/>
                {scripts.then(|| view! {
                    <noscript>
                        <p class="noscript" role="note">{lang.text(k::noscript_note)}</p>
                    </noscript>
                })}
                {submit_on_change}
            </body>
        </html>
    }
}

/// The sign-in page is plain HTML: its form posts to the sign-in server function, which answers
/// with a redirect (to Workspaces, or back with the refusal in the address), so the first page a
/// visitor sees downloads no WASM or JS at all. Reached by a link inside the hydrated console
/// instead, it is rendered by the WASM and signs in without a page load.
fn is_plain_html_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| parts.uri.path() == "/login")
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The id of the `fieldset` that holds the whole console: the server sends it `disabled` on every
/// page that has WASM, so no control takes a click, a key or a tap before the page can act on it
/// (SPEC §19), and [`crate::hydrate`] enables it once the page has hydrated. Nothing in Leptos
/// renders its `disabled` again (a static attribute is left as the server wrote it).
pub const CONSOLE_FIELDSET_ID: &str = "console";

#[component]
pub fn App() -> impl IntoView {
    I18n::provide();
    // What one feature's page shows of a feature above it (`ui::slots`).
    provide_context(crate::ui::DeleteWorkspaceDialog(
        crate::deletion::ui::delete_dialog,
    ));
    view! {
        <fieldset id=CONSOLE_FIELDSET_ID class="console" role="none" disabled=!is_plain_html_page()>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view={Lazy::<Login>::new()}/>
                <Route path=path!("/signup") view={Lazy::<SignUp>::new()}/>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <Redirect path="/workspaces"/> }/>
                    <Route path=path!("workspaces") view=WorkspacesPage/>
                    <Route path=path!("workspaces/:name") view={Lazy::<WorkspaceOverview>::new()}/>
                    <Route path=path!("workspaces/:name/assets/:kind") view={Lazy::<AssetList>::new()}/>
                    <Route path=path!("workspaces/:name/datastudio") view={Lazy::<DataStudio>::new()}/>
                    <Route path=path!("workspaces/:name/operation-center") view={Lazy::<OperationCenter>::new()}/>
                    <Route path=path!("operation-center") view={Lazy::<OperationCenter>::new()}/>
                    <Route path=path!("recycle-bin") view={Lazy::<RecycleBin>::new()}/>
                    <Route path=path!("recycle-bin/:id") view={Lazy::<BinEntry>::new()}/>
                    <Route path=path!("ram-users") view={Lazy::<RamUsers>::new()}/>
                    <Route path=path!("audit-log") view={Lazy::<AuditLog>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
        </fieldset>
    }
}

/// A page whose code is split out of the main WASM (`cargo leptos build --split`): the browser
/// fetches it the first time the route is shown (the server names it in a preload link for the
/// page it renders), so the sign-in page does not download the console.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                #[cfg(feature = "ssr")]
                crate::server::builds::note_build(stringify!($page));
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    Login => LoginPage,
    SignUp => SignUpPage,
    WorkspaceOverview => WorkspaceOverviewPage,
    AssetList => AssetListPage,
    DataStudio => DataStudioPage,
    OperationCenter => OperationCenterPage,
    RecycleBin => RecycleBinPage,
    BinEntry => BinEntryPage,
    RamUsers => RamUsersPage,
    AuditLog => AuditLogPage,
}

/// Every console page: signed-out visitors go to the sign-in page; users without a DataWorks
/// policy see "No permission" on every DataWorks page.
#[component]
fn ConsoleLayout() -> impl IntoView {
    let viewer = crate::codec::resource(|| (), |_| current_viewer());
    // One `Suspend`, not a closure making one: the server's `Suspense` walks its children to find
    // their resources (twice: leptos 0.8.23 `suspense_component.rs`, `dry_resolve` and its
    // double-check) before it renders them, and each walk of a closure would build the frame and
    // the page again. The frame goes to the `Suspense` inside an `Unsuspend`, which those walks
    // skip: it is built once, when the viewer is known and the page renders (the way
    // leptos_router's `ProtectedRoute` hands over its view). Each page waits for its own reads in
    // its own `Suspense`/`Transition`. The viewer never changes while the layout is shown, so
    // nothing needs to re-run it.
    let i = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>
            {Suspend::new(async move {
                match viewer.await {
                    Ok(Some(viewer)) => Unsuspend::new(move || view! { <ConsoleFrame viewer/> }).into_any(),
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! { <main class="page"><ErrorNote error/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConsoleFrame(viewer: Viewer) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::builds::note_build("ConsoleFrame");
    provide_context(viewer.clone());
    provide_context(crate::live::ui::Live::new());
    let location = use_location();
    let can_view = viewer.can_view;
    let allowed = move || can_view || location.pathname.get() == "/ram-users";
    let role = if viewer.is_root {
        k::role_root
    } else if viewer.can_modify {
        k::role_full_access
    } else if viewer.can_view {
        k::role_read_only
    } else {
        k::role_no_policy
    };
    let i = use_i18n();
    // On a narrow screen the header's contents sit behind "Menu" (SPEC §19); it closes when a
    // page is chosen.
    let menu_open = RwSignal::new(false);
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/workspaces">{i.text(k::product_name)}</a>
            <button
                class="menu-toggle"
                aria-expanded=move || menu_open.get().to_string()
                aria-controls="topbar-menu"
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                {i.text(k::menu)}
            </button>
            <div
                id="topbar-menu"
                class="topbar-menu"
                class:open=move || menu_open.get()
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Escape" && menu_open.get_untracked() {
                        menu_open.set(false);
                        focus_menu_toggle();
                    }
                }
            >
                <nav class="mainnav" aria-label=i.text(k::nav_main)>
                    <NavLink href="/workspaces">{i.text(k::nav_workspaces)}</NavLink>
                    <NavLink href="/operation-center">{i.text(k::nav_operation_center)}</NavLink>
                    <NavLink href="/recycle-bin">{i.text(k::nav_recycle_bin)}</NavLink>
                    <NavLink href="/audit-log">{i.text(k::nav_audit_log)}</NavLink>
                    {viewer.is_root.then(|| view! { <NavLink href="/ram-users">{i.text(k::nav_ram_users)}</NavLink> })}
                </nav>
                <div class="who">
                    <LanguageSelect/>
                    <span class="who-name">{viewer.sign_in_name.clone()}</span>
                    <span class="who-role">{i.text(role)}</span>
                    <NotificationsButton/>
                    <SignOutButton/>
                </div>
            </div>
        </header>
        <main class="page">
            {can_view.then(|| view! { <crate::live::ui::LiveUpdates/> })}
            <Show when=allowed fallback=|| view! { <NoPermission/> }>
                <Outlet/>
            </Show>
        </main>
    }
}

/// Escape in the open header menu returns the focus to "Menu".
fn focus_menu_toggle() {
    use wasm_bindgen::JsCast;
    if let Some(toggle) = document()
        .query_selector(".menu-toggle")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = toggle.focus();
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    let i = use_i18n();
    view! {
        <main class="page">
            <h1>{i.text(k::not_found_heading)}</h1>
            <p>{i.text(k::not_found_text)} <a href="/workspaces">{i.text(k::not_found_link)}</a></p>
        </main>
    }
}
