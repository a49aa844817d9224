//! Serves the minimal app like the console serves itself: precompressed, hashed, immutable /pkg
//! files and compressed pages.
#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use axum::Router;
    use axum::http::{HeaderValue, header};
    use leptos::prelude::*;
    use leptos_axum::{LeptosRoutes, generate_route_list};
    use minimal_leptos::{App, shell};
    use tower_http::compression::CompressionLayer;
    use tower_http::services::ServeDir;
    use tower_http::set_header::SetResponseHeaderLayer;

    let conf = get_configuration(None).expect("Cargo.toml has [package.metadata.leptos]");
    let mut options = conf.leptos_options;
    if let Ok(exe) = std::env::current_exe()
        && exe.with_file_name("hash.txt").exists()
    {
        options.hash_files = true;
    }
    let addr = options.site_addr;
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest_service(
            "/pkg",
            Router::new()
                .fallback_service(ServeDir::new(pkg).precompressed_br().precompressed_gzip())
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                )),
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(CompressionLayer::new())
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("minimal-leptos listening on http://{addr}");
    axum::serve(listener, app.into_make_service())
        .await
        .expect("serve");
}

#[cfg(not(feature = "ssr"))]
fn main() {}
