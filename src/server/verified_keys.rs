//! The AccessKey secrets this instance verified recently, so a script's requests do not pay the
//! slow hash each time: a SHA-256 of each secret, compared in constant time, for [`CACHE_TTL`].
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How long a verified secret is remembered by one instance.
pub const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_MAX: usize = 10_000;

/// Secrets this instance verified recently: AccessKey ID → (SHA-256 of the secret, the stored
/// hash it was verified against, when).
#[derive(Clone, Debug, Default)]
pub struct VerifiedKeys(Arc<Mutex<HashMap<String, Verified>>>);

/// The SHA-256 of a verified secret, the stored hash it was verified against, and when.
type Verified = (Vec<u8>, String, Instant);

impl VerifiedKeys {
    pub fn remembers(&self, key_id: &str, secret: &str, stored: &str) -> bool {
        let digest = Sha256::digest(secret.as_bytes());
        let Ok(map) = self.0.lock() else {
            return false;
        };
        map.get(key_id).is_some_and(|(known, hash, at)| {
            at.elapsed() < CACHE_TTL && hash == stored && bool::from(known.ct_eq(digest.as_slice()))
        })
    }

    pub fn remember(&self, key_id: &str, secret: &str, stored: &str) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= CACHE_MAX {
                map.retain(|_, (_, _, at)| at.elapsed() < CACHE_TTL);
                if map.len() >= CACHE_MAX {
                    map.clear();
                }
            }
            map.insert(
                key_id.to_owned(),
                (
                    Sha256::digest(secret.as_bytes()).to_vec(),
                    stored.to_owned(),
                    Instant::now(),
                ),
            );
        }
    }
}
