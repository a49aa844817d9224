use super::Clock;
use super::gate::Gate;
use crate::server::sessions::Sessions;
use crate::store::Pool;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many "Download a copy" zips one instance writes at once; more are answered 503.
pub const EXPORTS_AT_ONCE: usize = 4;

/// Everything a request may need, behind one shared pointer: a page view clones the state several
/// times (extractors, the page's context, each server function it runs), and one reference count
/// costs less than the twenty of its parts. Its fields are read through `Deref`; it is set up as
/// [`Shared`] and then shared.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`], adjustable (configuration, gates) until it is shared.
#[derive(Debug)]
pub struct Shared {
    pub pool: Pool,
    /// The session store (on the same database); the purge job's housekeeping prunes it too.
    pub sessions: Sessions,
    pub clock: Clock,
    pub leptos_options: LeptosOptions,
    pub test_mode: bool,
    pub config: Config,
    /// Admission for password hashing (sign-in, sign-up, setting a password).
    pub password_gate: Gate,
    /// Admission for verifying AccessKey secrets: its own, so a flood of bad API keys never
    /// makes console sign-in busy.
    pub key_gate: Gate,
    /// Set when a stop was asked for: readiness fails and every response closes its connection.
    pub draining: Arc<AtomicBool>,
    /// AccessKey secrets this instance verified recently (see `access_keys::service`).
    pub verified_keys: super::verified_keys::VerifiedKeys,
    /// The account changes this instance streams to open pages (see `server::hub`).
    pub live: super::hub::Hub,
    /// Exports running at once on this instance (each writes its zip on a thread of its own).
    pub exports: Arc<tokio::sync::Semaphore>,
}

impl Shared {
    pub fn new(
        pool: Pool,
        clock: Clock,
        leptos_options: LeptosOptions,
    ) -> Result<Self, sqlx::Error> {
        Ok(Self {
            sessions: Sessions::new(pool.clone()),
            live: super::hub::Hub::new(pool.clone()),
            exports: Arc::new(tokio::sync::Semaphore::new(EXPORTS_AT_ONCE)),
            pool,
            clock,
            leptos_options,
            test_mode: false,
            config: Config::default(),
            password_gate: Gate::for_password_hashing(),
            key_gate: Gate::for_password_hashing(),
            draining: Arc::default(),
            verified_keys: Default::default(),
        })
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub fn share(self) -> AppState {
        AppState(Arc::new(self))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// How the console is reached from outside.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// `CONSOLE_PUBLIC_URL`: the origin users reach (e.g. `https://console.example.com`). When set,
    /// requests for any other Host are refused, Origin must match it, and cookies are `Secure`
    /// when it is https.
    pub public_origin: Option<PublicOrigin>,
    /// Trust the last `X-Forwarded-For` hop as the client address (only behind a proxy that sets it).
    pub trust_proxy: bool,
    /// Listening on a loopback address: only loopback host names are accepted (no DNS rebinding).
    pub loopback_only: bool,
    /// `--webhook-allow-private`: webhooks may go to loopback, private (RFC 1918), shared (CGNAT)
    /// and IPv6 unique-local addresses, for a receiver inside the operator's own network.
    pub webhook_allow_private: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin {
    pub https: bool,
    /// `host` or `host:port`, lower case.
    pub authority: String,
}

impl PublicOrigin {
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim().trim_end_matches('/');
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!(
                "CONSOLE_PUBLIC_URL must start with https:// or http://, not {url:?}"
            ));
        };
        let valid = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !valid {
            return Err(format!(
                "CONSOLE_PUBLIC_URL must be an origin like https://console.example.com, not {url:?}"
            ));
        }
        let authority = rest.to_ascii_lowercase();
        let default_port = if https { ":443" } else { ":80" };
        let authority = authority
            .strip_suffix(default_port)
            .map(str::to_owned)
            .unwrap_or(authority);
        Ok(Self { https, authority })
    }

    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.authority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_an_origin_with_its_default_port_dropped() {
        let o = PublicOrigin::parse("https://Console.Example.com:443/").unwrap();
        assert_eq!(o.authority, "console.example.com");
        assert!(o.https);
        assert_eq!(o.origin(), "https://console.example.com");
        let o = PublicOrigin::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((o.https, o.authority.as_str()), (false, "127.0.0.1:8080"));
    }

    #[test]
    fn a_public_url_with_a_path_or_another_scheme_is_refused() {
        for bad in [
            "ftp://x",
            "console.example.com",
            "https://",
            "https://x/path",
            "https://u@x",
        ] {
            assert!(PublicOrigin::parse(bad).is_err(), "{bad}");
        }
    }
}
