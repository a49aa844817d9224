//! Webhook delivery from the outbox. Every instance runs a worker that claims due deliveries
//! (each claim pushes the row's next attempt out by a lease, so no two instances send it at once),
//! POSTs them with a short timeout, and then marks them delivered (2xx) or sets the next attempt
//! with exponential backoff, until 24 hours after the notice, when it gives up. Requests and the
//! purge job only ever insert rows: a slow or dead receiver delays nothing but its own deliveries.
//!
//! A webhook never reaches the console's own network: its host is resolved and every address
//! checked ([`refused_destination`]) when the URL is set and again at each delivery, and the
//! delivery connects to the very addresses that were checked (they are pinned in its client), so
//! a DNS answer cannot change between the check and the connection. Redirects are not followed.
//! Each delivery is signed: `X-Console-Signature: sha256=<hex HMAC-SHA256 of the body>` with the
//! account's signing secret.
use crate::error::AppResult;
use crate::store::Pool;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The header that carries a delivery's signature.
pub const SIGNATURE_HEADER: &str = "X-Console-Signature";
/// How long resolving a webhook's host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Deliveries one worker claims at a time.
pub const CLAIM: i64 = 20;
/// A claimed delivery whose worker died is tried again after this long.
pub const LEASE_SECS: i64 = 60;
/// Deliveries are retried until this long after the notice was created.
pub const GIVE_UP_AFTER_SECS: i64 = 24 * 3600;
/// How long one POST may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Seconds to wait after the `attempts`-th failed try: 10 s, 20 s, 40 s, … at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 20) - 1;
    (10_i64 << exponent).min(3600)
}

/// Why a webhook may not be sent to `ip`, or `None` when it may. Loopback, private (RFC 1918),
/// shared (CGNAT) and IPv6 unique-local addresses are allowed only with `allow_private` (the
/// operator's `--webhook-allow-private`); unspecified, link-local (the cloud metadata service),
/// multicast, broadcast and reserved addresses never are. An IPv4-mapped IPv6 address is refused
/// as such, or judged by its IPv4 address when private receivers are allowed.
pub fn refused_destination(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4, allow_private),
        IpAddr::V6(v6) => refused_v6(v6, allow_private),
    }
}

fn refused_v4(ip: Ipv4Addr, allow_private: bool) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    let never = if ip.is_broadcast() {
        Some("the broadcast address")
    } else if a == 0 {
        Some("an unspecified address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if a >= 240 {
        Some("a reserved address")
    } else {
        None
    };
    let private = if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private (RFC 1918) address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (CGNAT) address")
    } else {
        None
    };
    never.or(private.filter(|_| !allow_private))
}

fn refused_v6(ip: Ipv6Addr, allow_private: bool) -> Option<&'static str> {
    let first = ip.segments()[0];
    if let Some(v4) = ip.to_ipv4_mapped() {
        return if allow_private {
            refused_v4(v4, true)
        } else {
            Some("an IPv4-mapped address")
        };
    }
    let never = if ip.is_unspecified() {
        Some("an unspecified address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if ip.segments()[..6] == [0; 6] && !ip.is_loopback() {
        // ::/96 less :: and ::1: the deprecated IPv4-compatible form.
        Some("a reserved address")
    } else {
        None
    };
    let private = if ip.is_loopback() {
        Some("a loopback address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("an IPv6 unique local address")
    } else if first & 0xffc0 == 0xfec0 {
        Some("an IPv6 site-local address")
    } else {
        None
    };
    never.or(private.filter(|_| !allow_private))
}

/// Where a webhook URL leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Destination {
    /// Every address the host resolved to may be reached: connect to these.
    Allowed(Vec<SocketAddr>),
    /// The host is, or resolved to, an address a webhook may not reach; the rule, in words.
    Refused(String),
    /// The host name could not be resolved now.
    Unresolved(String),
}

/// Resolves the host of `url` and checks each of its addresses.
pub async fn destination(url: &url::Url, allow_private: bool) -> Destination {
    let port = url.port_or_known_default().unwrap_or(80);
    let (name, addrs) = match url.host() {
        Some(url::Host::Ipv4(ip)) => (ip.to_string(), vec![SocketAddr::new(ip.into(), port)]),
        Some(url::Host::Ipv6(ip)) => (ip.to_string(), vec![SocketAddr::new(ip.into(), port)]),
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::time::timeout(
                RESOLVE_TIMEOUT,
                tokio::net::lookup_host((name.trim_end_matches('.'), port)),
            )
            .await;
            match lookup {
                Ok(Ok(found)) => {
                    let found: Vec<SocketAddr> = found.collect();
                    if found.is_empty() {
                        return Destination::Unresolved(name.to_owned());
                    }
                    (name.to_owned(), found)
                }
                _ => return Destination::Unresolved(name.to_owned()),
            }
        }
        None => return Destination::Unresolved(String::new()),
    };
    for addr in &addrs {
        if let Some(rule) = refused_destination(addr.ip(), allow_private) {
            let ip = addr.ip();
            let what = if name == ip.to_string() {
                format!("{ip} is {rule}")
            } else {
                format!("{name} resolves to {ip}, {rule}")
            };
            return Destination::Refused(format!(
                "A webhook may not be sent into a private network: {what}."
            ));
        }
    }
    Destination::Allowed(addrs)
}

/// Sends deliveries: one client per delivery, pinned to the addresses that were checked, with no
/// redirects followed (a receiver answers for itself) and no other name resolvable.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sender {
    pub allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool) -> Self {
        Sender { allow_private }
    }

    fn client(&self, host: &str, addrs: &[SocketAddr]) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("WorkspaceConsole-Webhook/1")
            .dns_resolver(std::sync::Arc::new(NoOtherNames))
            .resolve_to_addrs(host, addrs)
            .build()
            .unwrap_or_default()
    }

    /// POSTs `body` to `url`: `Ok(())` on a 2xx, else the failure (a refusal is final).
    async fn send(&self, url: &str, body: String, secret: Option<&str>) -> Result<(), Failure> {
        let Ok(parsed) = url::Url::parse(url) else {
            return Err(Failure::Refused("The webhook URL is not valid.".into()));
        };
        let addrs = match destination(&parsed, self.allow_private).await {
            Destination::Allowed(addrs) => addrs,
            Destination::Refused(rule) => return Err(Failure::Refused(rule)),
            Destination::Unresolved(host) => {
                return Err(Failure::Retry(format!("could not resolve {host}")));
            }
        };
        let host = parsed.host_str().unwrap_or_default().trim_end_matches('.');
        let mut request = self
            .client(host, &addrs)
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Console-Notice-Id", notice_id_of(&body));
        if let Some(secret) = secret {
            request = request.header(SIGNATURE_HEADER, signature(secret, body.as_bytes()));
        }
        match request.body(body).send().await {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(Failure::Retry(format!("answered {}", response.status()))),
            Err(error) => Err(Failure::Retry(describe(&error))),
        }
    }
}

/// A delivery that did not go through.
enum Failure {
    /// Tried again later with backoff.
    Retry(String),
    /// Never sent: the destination breaks a rule.
    Refused(String),
}

/// The only names a delivery's client resolves are the pinned ones.
struct NoOtherNames;

impl reqwest::dns::Resolve for NoOtherNames {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_owned();
        Box::pin(async move { Err(format!("{name} was not checked for this delivery").into()) })
    }
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` keyed with `secret`, as receivers check it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Claims and sends every delivery due at `now`; answers how many were accepted.
pub async fn deliver_due(pool: &Pool, sender: &Sender, now: i64) -> AppResult<u64> {
    // Most ticks find nothing due: a plain read, so an idle worker never takes the write lock.
    let any: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM webhook_outbox WHERE done_at IS NULL AND next_attempt_at <= $1 LIMIT 1",
    )
    .bind(now)
    .fetch_optional(pool)
    .await?;
    if any.is_none() {
        return Ok(0);
    }
    let mut tx = crate::store::write_tx(pool).await?;
    // A delivery whose 24 hours passed while no worker ran (every instance was down) is given up,
    // not sent days late.
    sqlx::query(
        "UPDATE webhook_outbox SET done_at = $1, outcome = 'GaveUp', last_error = 'not delivered within 24 hours'
         WHERE done_at IS NULL AND created_at <= $2",
    )
    .bind(now)
    .bind(now.saturating_sub(GIVE_UP_AFTER_SECS))
    .execute(&mut *tx)
    .await?;
    let claim = crate::store::claim_rows(&tx);
    let due: Vec<(i64, i64, String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT id, account_id, url, body, attempts, created_at FROM webhook_outbox
         WHERE done_at IS NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2{claim}"
    ))
    .bind(now)
    .bind(CLAIM)
    .fetch_all(&mut *tx)
    .await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let list = due
        .iter()
        .map(|d| d.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query(&format!(
        "UPDATE webhook_outbox SET next_attempt_at = $1 WHERE id IN ({list})"
    ))
    .bind(now.saturating_add(LEASE_SECS))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    let accounts = due
        .iter()
        .map(|d| d.1.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let secrets: std::collections::HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>(&format!(
            "SELECT account_id, webhook_secret FROM account_settings
             WHERE account_id IN ({accounts}) AND webhook_secret IS NOT NULL"
        ))
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();

    let sends = due
        .into_iter()
        .map(|(id, account_id, url, body, attempts, created_at)| {
            let secret = secrets.get(&account_id).cloned();
            async move {
                let result = sender.send(&url, body, secret.as_deref()).await;
                (id, attempts + 1, created_at, result)
            }
        });
    let results = futures::future::join_all(sends).await;
    let mut accepted = 0;
    for (id, attempts, created_at, result) in results {
        let (error, next, give_up) = match result {
            Ok(()) => {
                accepted += 1;
                sqlx::query(
                    "UPDATE webhook_outbox SET attempts = $1, done_at = $2, last_attempt_at = $2,
                         outcome = 'Delivered', last_error = '' WHERE id = $3",
                )
                .bind(attempts)
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
                continue;
            }
            Err(Failure::Refused(rule)) => {
                tracing::warn!(id, rule, "webhook delivery refused");
                (format!("{REFUSED}{rule}"), now, true)
            }
            Err(Failure::Retry(error)) => {
                let next = now.saturating_add(backoff_secs(attempts));
                let give_up = next > created_at.saturating_add(GIVE_UP_AFTER_SECS);
                tracing::warn!(id, attempts, error, give_up, "webhook delivery failed");
                (error, next, give_up)
            }
        };
        sqlx::query(
            "UPDATE webhook_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3,
                 last_attempt_at = $5,
                 done_at = CASE WHEN $4 THEN $5 ELSE NULL END,
                 outcome = CASE WHEN $4 THEN 'GaveUp' ELSE NULL END
             WHERE id = $6",
        )
        .bind(attempts)
        .bind(error)
        .bind(next)
        .bind(give_up)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    }
    Ok(accepted)
}

/// How a refused delivery's `last_error` starts (it is given up at once, never retried).
pub const REFUSED: &str = "Refused: ";

fn notice_id_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(2), 20);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(10), 3600);
        assert_eq!(backoff_secs(1000), 3600);
    }

    fn refused(ip: &str, allow_private: bool) -> Option<&'static str> {
        refused_destination(ip.parse().unwrap(), allow_private)
    }

    #[test]
    fn public_addresses_may_receive_webhooks() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "100.128.0.1",
            "172.32.0.1",
        ] {
            assert_eq!(refused(ip, false), None, "{ip}");
        }
    }

    #[test]
    fn the_internal_network_is_refused_unless_private_receivers_are_allowed() {
        for (ip, rule) in [
            ("127.0.0.1", "a loopback address"),
            ("127.255.0.9", "a loopback address"),
            ("::1", "a loopback address"),
            ("10.0.0.1", "a private (RFC 1918) address"),
            ("172.16.5.4", "a private (RFC 1918) address"),
            ("192.168.1.1", "a private (RFC 1918) address"),
            ("100.64.0.1", "a shared (CGNAT) address"),
            ("100.127.255.254", "a shared (CGNAT) address"),
            ("fd00::1", "an IPv6 unique local address"),
            ("fc00::1", "an IPv6 unique local address"),
            ("::ffff:127.0.0.1", "an IPv4-mapped address"),
            ("::ffff:8.8.8.8", "an IPv4-mapped address"),
        ] {
            assert_eq!(refused(ip, false), Some(rule), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "::1",
            "10.0.0.1",
            "100.64.0.1",
            "fd00::1",
            "::ffff:10.1.2.3",
        ] {
            assert_eq!(
                refused(ip, true),
                None,
                "{ip} with private receivers allowed"
            );
        }
    }

    #[test]
    fn metadata_unspecified_multicast_and_broadcast_are_never_reached() {
        for (ip, rule) in [
            ("169.254.169.254", "a link-local address"),
            ("fe80::1", "a link-local address"),
            ("0.0.0.0", "an unspecified address"),
            ("0.1.2.3", "an unspecified address"),
            ("::", "an unspecified address"),
            ("224.0.0.1", "a multicast address"),
            ("ff02::1", "a multicast address"),
            ("255.255.255.255", "the broadcast address"),
            ("240.0.0.1", "a reserved address"),
            ("::ffff:169.254.169.254", "a link-local address"),
        ] {
            assert_eq!(refused(ip, true), Some(rule), "{ip}");
        }
    }

    #[test]
    fn numeric_host_forms_are_read_as_the_address_they_name() {
        for text in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
        ] {
            let url = url::Url::parse(text).unwrap();
            assert_eq!(
                url.host(),
                Some(url::Host::Ipv4(Ipv4Addr::LOCALHOST)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
