//! Random text for secrets and ids, from the operating system's generator.
use argon2::password_hash::rand_core::{OsRng, RngCore};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters from A-Z, a-z, 0-9, uniformly (rejection sampling over random bytes).
pub fn random_text(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        OsRng.fill_bytes(&mut buf);
        for b in buf {
            // 248 = 4 x 62: bytes above it would favour the first letters.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_texts_are_alphanumeric_of_their_length_and_differ() {
        let a = random_text(30);
        let b = random_text(30);
        assert_eq!(a.len(), 30);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
