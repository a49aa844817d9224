//! The minimal Leptos app: one routed page with a counter, rendered on the server and hydrated.
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
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
        <Title text="Minimal Leptos"/>
        <Router>
            <main>
                <Routes fallback=|| "Page not found.">
                    <Route path=path!("") view=HomePage/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    let count = RwSignal::new(0);
    view! {
        <h1>"Minimal Leptos"</h1>
        <button on:click=move |_| *count.write() += 1>"Clicked " {count} " times"</button>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    if let Some(body) = web_sys_body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

#[cfg(feature = "hydrate")]
fn web_sys_body() -> Option<leptos::web_sys::HtmlElement> {
    leptos::prelude::window().document()?.body()
}
