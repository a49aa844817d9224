use crate::assets::datastudio_ui::DataStudioPage;
use crate::assets::ui::{AssetListPage, WorkspaceOverviewPage};
use crate::domain::Viewer;
use crate::error::AppError;
use crate::identity::current_viewer;
use crate::identity::ui::{LoginPage, RamUsersPage, SignOutButton, SignUpPage};
use crate::operations::ui::OperationCenterPage;
use crate::recycle_bin::ui::RecycleBinPage;
use crate::ui::{ErrorNote, NoPermission};
use crate::workspaces::ui::WorkspacesPage;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{SsrMode, path};

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
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Workspace Console"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/signup") view=SignUpPage/>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <Redirect path="/workspaces"/> }/>
                    <Route path=path!("workspaces") view=WorkspacesPage/>
                    <Route path=path!("workspaces/:name") view=WorkspaceOverviewPage/>
                    <Route path=path!("workspaces/:name/assets/:kind") view=AssetListPage/>
                    <Route path=path!("workspaces/:name/datastudio") view=DataStudioPage/>
                    <Route path=path!("workspaces/:name/operation-center") view=OperationCenterPage/>
                    <Route path=path!("operation-center") view=OperationCenterPage/>
                    <Route path=path!("recycle-bin") view=RecycleBinPage/>
                    <Route path=path!("ram-users") view=RamUsersPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Every console page: signed-out visitors go to the sign-in page; users without a DataWorks
/// policy see "No permission" on every DataWorks page.
#[component]
fn ConsoleLayout() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(viewer)) => view! { <ConsoleFrame viewer/> }.into_any(),
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! { <main class="page"><ErrorNote error/></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConsoleFrame(viewer: Viewer) -> impl IntoView {
    provide_context(viewer.clone());
    let location = use_location();
    let can_view = viewer.can_view;
    let allowed = move || can_view || location.pathname.get() == "/ram-users";
    let role = if viewer.is_root {
        "Alibaba Cloud account"
    } else if viewer.can_modify {
        "RAM user · AliyunDataWorksFullAccess"
    } else if viewer.can_view {
        "RAM user · AliyunDataWorksReadOnlyAccess"
    } else {
        "RAM user · no DataWorks policy"
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/workspaces">"Workspace Console"</a>
            <nav class="mainnav" aria-label="Main">
                <A href="/workspaces">"Workspaces"</A>
                <A href="/operation-center">"Operation Center"</A>
                <A href="/recycle-bin">"Recycle Bin"</A>
                {viewer.is_root.then(|| view! { <A href="/ram-users">"RAM Users"</A> })}
            </nav>
            <div class="who">
                <span class="who-name">{viewer.sign_in_name.clone()}</span>
                <span class="who-role">{role}</span>
                <SignOutButton/>
            </div>
        </header>
        <main class="page">
            <Show when=allowed fallback=|| view! { <NoPermission/> }>
                <Outlet/>
            </Show>
        </main>
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
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/workspaces">"Go to Workspaces"</a></p>
        </main>
    }
}
