//! Webhook delivery from the outbox. Every instance runs a worker that claims due deliveries
//! (each claim pushes the row's next attempt out by a lease, so no two instances send it at once),
//! POSTs them with a short timeout, and then marks them delivered (2xx) or sets the next attempt
//! with exponential backoff, until 24 hours after the notice, when it gives up. Requests and the
//! purge job only ever insert rows: a slow or dead receiver delays nothing but its own deliveries.
//!
//! A webhook reaches only globally routable addresses, never the console's own network nor a cloud
//! metadata service: its host is resolved and every address checked ([`refused_destination`])
//! when the URL is set and again at each delivery, and the delivery connects to the very addresses
//! that were checked (they are pinned in its client), so a DNS answer cannot change between the
//! check and the connection. Redirects are not followed. Each delivery is signed:
//! `X-Console-Signature: sha256=<hex HMAC-SHA256 of the body>` with the account's signing secret.
use crate::error::AppResult;
use crate::store::Pool;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
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

/// Why a webhook may not be sent to `ip`, or `None` when it may. Only globally routable unicast
/// addresses are reached, by the IANA IPv4 and IPv6 special-purpose address registries; loopback,
/// private (RFC 1918), shared (CGNAT) and IPv6 unique-local and site-local addresses also with
/// `allow_private` (the operator's `--webhook-allow-private`). The cloud metadata services are
/// never reached. An IPv6 form that reaches an IPv4 address (IPv4-mapped, NAT64, 6to4) is judged
/// as that address as well.
pub fn refused_destination(ip: IpAddr, allow_private: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4, allow_private),
        IpAddr::V6(v6) => refused_v6(v6, allow_private),
    }
}

// The ranges are kept here as (network, rule) pairs read off the IANA registries
// (iana-ipv4-special-registry, iana-ipv6-special-registry), with `ipnet` for the prefixes. No
// maintained crate knows them on stable Rust: std's `is_global` is unstable, and `ip_rfc` and
// `ip_network` copy an old draft of it (no NAT64, 6to4, discard-only or 3fff::/20; IPv4-mapped
// counted as global); none knows the cloud metadata addresses.

/// Whether a webhook may reach a range of `V4_RANGES` or `V6_RANGES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// Never.
    Never,
    /// Only with `--webhook-allow-private`: a receiver in the operator's own network.
    Private,
}
use Reach::{Never, Private};

impl Reach {
    fn refuses(self, allow_private: bool) -> bool {
        self == Never || !allow_private
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn v6(s: [u16; 8], prefix: u8) -> Ipv6Net {
    Ipv6Net::new_assert(
        Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
        prefix,
    )
}

/// The cloud metadata and platform services, refused with or without `--webhook-allow-private`,
/// also when an IPv6 form carries their IPv4 address. Most lie in ranges refused anyway
/// (link-local, 192.0.0.0/24) and are named here so a refusal says what they are; the others are in
/// ranges the operator's flag opens (100.64.0.0/10, fc00::/7) or look public (Azure's). AWS's time
/// server and DNS resolver (169.254.169.123, 169.254.169.253) are not metadata services and are
/// refused as the link-local addresses they are.
const METADATA: &[(IpNet, &str)] = &[
    (
        IpNet::V4(v4(169, 254, 169, 254, 32)),
        "a cloud metadata address (AWS, Google Cloud, Azure, Oracle Cloud and others)",
    ),
    (
        IpNet::V4(v4(169, 254, 170, 2, 32)),
        "a cloud metadata address (AWS ECS task metadata)",
    ),
    (
        IpNet::V4(v4(169, 254, 170, 23, 32)),
        "a cloud metadata address (AWS EKS Pod Identity)",
    ),
    (
        IpNet::V4(v4(169, 254, 42, 42, 32)),
        "a cloud metadata address (Scaleway)",
    ),
    (
        IpNet::V4(v4(169, 254, 0, 23, 32)),
        "a cloud metadata address (Tencent Cloud)",
    ),
    (
        IpNet::V4(v4(100, 100, 100, 200, 32)),
        "a cloud metadata address (Alibaba Cloud)",
    ),
    (
        IpNet::V4(v4(168, 63, 129, 16, 32)),
        "a cloud metadata address (Azure WireServer)",
    ),
    (
        IpNet::V4(v4(192, 0, 0, 192, 32)),
        "a cloud metadata address (Oracle Cloud Classic)",
    ),
    // AWS's IPv6 service block: instance metadata at fd00:ec2::254, EKS Pod Identity at
    // fd00:ec2::23, its DNS resolver and time server.
    (
        IpNet::V6(v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0], 32)),
        "a cloud metadata address (AWS)",
    ),
    (
        IpNet::V6(v6([0xfd20, 0xce, 0, 0, 0, 0, 0, 0x254], 128)),
        "a cloud metadata address (Google Cloud)",
    ),
    (
        IpNet::V6(v6([0xfd00, 0xc1, 0, 0, 0, 0, 0xa9fe, 0xa9fe], 128)),
        "a cloud metadata address (Oracle Cloud)",
    ),
    (
        IpNet::V6(v6([0xfd00, 0x42, 0, 0, 0, 0, 0, 0x42], 128)),
        "a cloud metadata address (Scaleway)",
    ),
    (
        IpNet::V6(v6([0xfd00, 0x100, 0, 0, 0, 0, 0x100, 0x200], 128)),
        "a cloud metadata address (Alibaba Cloud)",
    ),
    (
        IpNet::V6(v6([0xfd00, 0xa9fe, 0xa9fe, 0, 0, 0, 0, 1], 128)),
        "a cloud metadata address (Akamai)",
    ),
    (
        IpNet::V6(v6([0xfe80, 0, 0, 0, 0, 0, 0xa9fe, 0xa9fe], 128)),
        "a cloud metadata address (OpenStack, Akamai)",
    ),
];

/// The IPv4 ranges a webhook does not reach (the first that holds an address rules it); every
/// other address is globally routable unicast. The registry marks the PCP and TURN anycast
/// addresses 192.0.0.9 and 192.0.0.10 globally reachable: they are protocol services, never a
/// receiver, and are refused with the rest of 192.0.0.0/24.
#[rustfmt::skip]
const V4_RANGES: &[(Ipv4Net, Reach, &str)] = &[
    (v4(0, 0, 0, 0, 8),          Never,   "an unspecified address"),
    (v4(10, 0, 0, 0, 8),         Private, "a private (RFC 1918) address"),
    (v4(100, 64, 0, 0, 10),      Private, "a shared (CGNAT) address"),
    (v4(127, 0, 0, 0, 8),        Private, "a loopback address"),
    (v4(169, 254, 0, 0, 16),     Never,   "a link-local address"),
    (v4(172, 16, 0, 0, 12),      Private, "a private (RFC 1918) address"),
    (v4(192, 0, 0, 0, 24),       Never,   "an IETF protocol assignment"),
    (v4(192, 0, 2, 0, 24),       Never,   "a documentation address"),
    (v4(192, 88, 99, 0, 24),     Never,   "a 6to4 relay anycast address"),
    (v4(192, 168, 0, 0, 16),     Private, "a private (RFC 1918) address"),
    (v4(198, 18, 0, 0, 15),      Never,   "a benchmarking address"),
    (v4(198, 51, 100, 0, 24),    Never,   "a documentation address"),
    (v4(203, 0, 113, 0, 24),     Never,   "a documentation address"),
    (v4(224, 0, 0, 0, 4),        Never,   "a multicast address"),
    (v4(255, 255, 255, 255, 32), Never,   "the broadcast address"),
    (v4(240, 0, 0, 0, 4),        Never,   "a reserved address"),
];

/// The IPv6 ranges a webhook does not reach (the first that holds an address rules it), besides
/// everything outside `GLOBAL_UNICAST`. 2001::/23 is refused whole: the few addresses in it that
/// the registry marks globally reachable are protocol anycast, AS112, AMT, ORCHIDv2 and drone
/// identifiers, never a receiver.
#[rustfmt::skip]
const V6_RANGES: &[(Ipv6Net, Reach, &str)] = &[
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 128),         Never,   "an unspecified address"),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128),         Private, "a loopback address"),
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 96),          Never,   "an IPv4-compatible address"),
    (v6([0, 0, 0, 0, 0xffff, 0, 0, 0], 96),     Never,   "an IPv4-translated address"),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),      Never,   "a discard-only address"),
    (v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64),      Never,   "a dummy address"),
    (v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32),     Never,   "a Teredo address"),
    (v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48),     Never,   "a benchmarking address"),
    (v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),     Never,   "an IETF protocol assignment"),
    (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), Never,   "a documentation address"),
    (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),     Never,   "a documentation address"),
    (v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),     Never,   "a segment routing (SRv6) address"),
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),      Private, "an IPv6 unique local address"),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),     Never,   "a link-local address"),
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),     Private, "an IPv6 site-local address"),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),      Never,   "a multicast address"),
];

/// IPv6 global unicast: an address outside it that no rule names is reserved by the IETF.
const GLOBAL_UNICAST: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);
/// NAT64's well-known prefix: the IPv4 address is the last 32 bits, and a global one (RFC 6052).
const NAT64: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
/// A local-use NAT64 prefix (RFC 8215), the operator's own translator: the IPv4 address is the
/// last 32 bits (the /96 layout), and may be a private one.
const LOCAL_NAT64: Ipv6Net = v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48);
/// 6to4: the IPv4 address is bits 16 to 48, a global one (RFC 3056).
const SIX_TO_FOUR: Ipv6Net = v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);

fn metadata(ip: IpAddr) -> Option<&'static str> {
    METADATA
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|&(_, what)| what)
}

fn refused_v4(ip: Ipv4Addr, allow_private: bool) -> Option<&'static str> {
    if let Some(what) = metadata(ip.into()) {
        return Some(what);
    }
    let &(_, reach, what) = V4_RANGES.iter().find(|(net, ..)| net.contains(&ip))?;
    reach.refuses(allow_private).then_some(what)
}

fn refused_v6(ip: Ipv6Addr, allow_private: bool) -> Option<&'static str> {
    if let Some(what) = metadata(ip.into()) {
        return Some(what);
    }
    let last_32 = Ipv4Addr::from_bits(ip.to_bits() as u32);
    if let Some(v4) = ip.to_ipv4_mapped() {
        // A dual-stack socket connects to it over IPv4: refused as such unless private receivers
        // are allowed, and judged as its IPv4 address in both modes.
        return refused_v4(v4, true).or((!allow_private).then_some("an IPv4-mapped address"));
    }
    if LOCAL_NAT64.contains(&ip) {
        return refused_v4(last_32, true)
            .or((!allow_private).then_some("a local-use NAT64 address"));
    }
    if NAT64.contains(&ip) {
        return refused_v4(last_32, false);
    }
    if SIX_TO_FOUR.contains(&ip) {
        return refused_v4(Ipv4Addr::from_bits((ip.to_bits() >> 80) as u32), false);
    }
    match V6_RANGES.iter().find(|(net, ..)| net.contains(&ip)) {
        Some(&(_, reach, what)) => reach.refuses(allow_private).then_some(what),
        None if GLOBAL_UNICAST.contains(&ip) => None,
        None => Some("a reserved address"),
    }
}

/// Where a webhook URL leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Destination {
    /// Every address the host resolved to may be reached: connect to these.
    Allowed(Vec<SocketAddr>),
    /// The host is, or resolved to, an address a webhook may not reach.
    Refused(Refusal),
    /// The host name could not be resolved now.
    Unresolved(String),
}

/// Why a webhook may not be sent to a host: one of its addresses and the rule that refuses it.
/// In English as it is recorded ("A webhook may only be sent to a public address: …"); the
/// console words it in the reader's language from its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host as the URL names it (an address, or a name that resolved to `ip`).
    pub host: String,
    pub ip: IpAddr,
    /// The rule, in words ("a loopback address").
    pub rule: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, ip, rule) = (&self.host, self.ip, self.rule);
        if *name == ip.to_string() {
            write!(
                f,
                "A webhook may only be sent to a public address: {ip} is {rule}."
            )
        } else {
            write!(
                f,
                "A webhook may only be sent to a public address: {name} resolves to {ip}, {rule}."
            )
        }
    }
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
            return Destination::Refused(Refusal {
                host: name.clone(),
                ip: addr.ip(),
                rule,
            });
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
            Destination::Refused(refusal) => return Err(Failure::Refused(refusal.to_string())),
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

    const DOCUMENTATION: Option<&str> = Some("a documentation address");
    const BENCHMARKING: Option<&str> = Some("a benchmarking address");
    const IETF: Option<&str> = Some("an IETF protocol assignment");
    const RESERVED: Option<&str> = Some("a reserved address");
    const LOOPBACK: Option<&str> = Some("a loopback address");
    const RFC_1918: Option<&str> = Some("a private (RFC 1918) address");
    const COMMON_METADATA: Option<&str> =
        Some("a cloud metadata address (AWS, Google Cloud, Azure, Oracle Cloud and others)");
    const ALIBABA: Option<&str> = Some("a cloud metadata address (Alibaba Cloud)");
    const REACHED: Option<&str> = None;

    /// Every form issue 43 found reached, then the rest of the IANA special-purpose registries,
    /// then public receivers (and IPv6 forms that carry a public IPv4 address): the same answer
    /// with and without `--webhook-allow-private`.
    #[test]
    fn only_globally_routable_unicast_addresses_receive_webhooks() {
        for (ip, rule) in [
            // Issue 43.
            ("192.0.2.2", DOCUMENTATION),
            ("198.18.0.1", BENCHMARKING),
            ("192.0.0.1", IETF),
            ("192.88.99.1", Some("a 6to4 relay anycast address")),
            ("240.0.0.1", RESERVED),
            ("2001:db8::1", DOCUMENTATION),
            ("100::1", Some("a discard-only address")),
            ("64:ff9b::7f00:1", LOOPBACK),
            ("64:ff9b::a9fe:a9fe", COMMON_METADATA),
            ("2002:7f00:1::", LOOPBACK),
            ("::ffff:0:127.0.0.1", Some("an IPv4-translated address")),
            ("100.100.100.200", ALIBABA),
            ("fd00:ec2::254", Some("a cloud metadata address (AWS)")),
            // IPv4 registry.
            ("198.51.100.7", DOCUMENTATION),
            ("203.0.113.9", DOCUMENTATION),
            ("198.19.255.254", BENCHMARKING),
            ("192.0.0.9", IETF),
            ("192.0.0.10", IETF),
            ("192.0.0.170", IETF),
            ("254.1.2.3", RESERVED),
            // IPv6 registry, and the space outside global unicast.
            ("3fff::1", DOCUMENTATION),
            ("3fff:fff::1", DOCUMENTATION),
            ("2001:2::1", BENCHMARKING),
            ("2001::1", Some("a Teredo address")),
            (
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                Some("a Teredo address"),
            ),
            ("2001:1::1", IETF),
            ("2001:10::1", IETF),
            ("100:0:0:1::1", Some("a dummy address")),
            ("5f00::1", Some("a segment routing (SRv6) address")),
            ("::7f00:1", Some("an IPv4-compatible address")),
            ("::8.8.8.8", Some("an IPv4-compatible address")),
            ("::ffff:0:8.8.8.8", Some("an IPv4-translated address")),
            ("1::", RESERVED),
            ("4000::1", RESERVED),
            ("e000::1", RESERVED),
            ("fe00::1", RESERVED),
            // NAT64 and 6to4 carry a global IPv4 address, or are refused as the one they carry.
            ("64:ff9b::a00:1", RFC_1918),
            ("64:ff9b::c000:202", DOCUMENTATION),
            ("64:ff9b::e000:1", Some("a multicast address")),
            ("2002:a00:1::", RFC_1918),
            ("2002:c000:201::1", DOCUMENTATION),
            ("2002::1", Some("an unspecified address")),
            // Public receivers.
            ("8.8.8.8", REACHED),
            ("1.1.1.1", REACHED),
            ("93.184.216.34", REACHED),
            ("100.128.0.1", REACHED),
            ("172.32.0.1", REACHED),
            ("192.0.1.1", REACHED),
            ("192.31.196.1", REACHED),
            ("198.20.0.1", REACHED),
            ("223.255.255.254", REACHED),
            ("2606:4700:4700::1111", REACHED),
            ("2001:4860:4860::8888", REACHED),
            ("2001:200::1", REACHED),
            ("2620:4f:8000::1", REACHED),
            ("64:ff9b::808:808", REACHED),
            ("2002:808:808::1", REACHED),
        ] {
            for allow_private in [false, true] {
                assert_eq!(
                    refused(ip, allow_private),
                    rule,
                    "{ip} (private receivers allowed: {allow_private})"
                );
            }
        }
    }

    #[test]
    fn cloud_metadata_services_are_never_reached_in_any_form() {
        for &(net, what) in METADATA {
            for allow_private in [false, true] {
                assert_eq!(
                    refused_destination(net.addr(), allow_private),
                    Some(what),
                    "{net}"
                );
            }
        }
        for (ip, rule) in [
            ("fd00:ec2::23", Some("a cloud metadata address (AWS)")),
            ("::ffff:169.254.169.254", COMMON_METADATA),
            ("2002:a9fe:a9fe::1", COMMON_METADATA),
            ("::ffff:100.100.100.200", ALIBABA),
            ("64:ff9b::6464:64c8", ALIBABA),
            ("64:ff9b:1::6464:64c8", ALIBABA),
            ("2002:6464:64c8::", ALIBABA),
            // Forms that reach nothing are refused as such.
            (
                "::ffff:0:100.100.100.200",
                Some("an IPv4-translated address"),
            ),
            ("::a9fe:a9fe", Some("an IPv4-compatible address")),
        ] {
            for allow_private in [false, true] {
                assert_eq!(
                    refused(ip, allow_private),
                    rule,
                    "{ip} (private receivers allowed: {allow_private})"
                );
            }
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
            ("fec0::1", "an IPv6 site-local address"),
            ("::ffff:127.0.0.1", "an IPv4-mapped address"),
            ("::ffff:8.8.8.8", "an IPv4-mapped address"),
            ("64:ff9b:1::808:808", "a local-use NAT64 address"),
            ("64:ff9b:1::a00:1", "a local-use NAT64 address"),
        ] {
            assert_eq!(refused(ip, false), Some(rule), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "::1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "fd00::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:8.8.8.8",
            "64:ff9b:1::a00:1",
        ] {
            assert_eq!(
                refused(ip, true),
                None,
                "{ip} with private receivers allowed"
            );
        }
    }

    #[test]
    fn unspecified_link_local_multicast_and_broadcast_are_never_reached() {
        for (ip, rule) in [
            ("169.254.1.1", "a link-local address"),
            ("169.254.169.123", "a link-local address"),
            ("fe80::1", "a link-local address"),
            ("::ffff:169.254.1.1", "a link-local address"),
            ("0.0.0.0", "an unspecified address"),
            ("0.1.2.3", "an unspecified address"),
            ("::", "an unspecified address"),
            ("224.0.0.1", "a multicast address"),
            ("::ffff:224.0.0.1", "a multicast address"),
            ("ff02::1", "a multicast address"),
            ("ff0e::1", "a multicast address"),
            ("255.255.255.255", "the broadcast address"),
        ] {
            for allow_private in [false, true] {
                assert_eq!(
                    refused(ip, allow_private),
                    Some(rule),
                    "{ip} (private receivers allowed: {allow_private})"
                );
            }
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
