//! Optional passwords (§2): argon2id, stored as `argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` (hex),
//! verified in constant time. Hashing runs off the async threads.

use argon2::{Algorithm, Argon2, Params, Version};
use duken_core::otp::constant_time_eq;

use super::hex;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Whether a new password is acceptable: 10 to 128 characters, not only digits (a code or
/// a phone number is not a password).
pub fn acceptable(password: &str) -> bool {
    let n = password.chars().count();
    (MIN_LEN..=MAX_LEN).contains(&n) && !password.chars().all(|c| c.is_ascii_digit() || c.is_whitespace())
}

fn argon2(m: u32, t: u32, p: u32) -> Option<Argon2<'static>> {
    Params::new(m, t, p, Some(32)).ok().map(|params| Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    text.len().is_multiple_of(2).then_some(())?;
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// The stored form of a password, with a fresh random salt.
pub fn hash(password: &str) -> String {
    let salt: [u8; 16] = rand::random();
    let (m, t, p) = (Params::DEFAULT_M_COST, Params::DEFAULT_T_COST, Params::DEFAULT_P_COST);
    let mut out = [0u8; 32];
    argon2(m, t, p)
        .expect("the default parameters are valid")
        .hash_password_into(password.as_bytes(), &salt, &mut out)
        .expect("a 16-byte salt and a 32-byte output are valid");
    format!("argon2id$v=19$m={m},t={t},p={p}${}${}", hex(&salt), hex(&out))
}

/// Whether `password` matches `stored`; a malformed `stored` never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [algorithm, version, params, salt, expected] = parts.as_slice() else { return false };
    if *algorithm != "argon2id" || *version != "v=19" {
        return false;
    }
    let mut costs = params.split(',').filter_map(|kv| kv.split_once('=')).filter_map(|(_, v)| v.parse::<u32>().ok());
    let (Some(m), Some(t), Some(p)) = (costs.next(), costs.next(), costs.next()) else { return false };
    let (Some(salt), Some(expected), Some(hasher)) = (unhex(salt), unhex(expected), argon2(m, t, p)) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    hasher.hash_password_into(password.as_bytes(), &salt, &mut out).is_ok() && constant_time_eq(&out, &expected)
}

/// Spends the time a verification takes, for numbers that have no password, so the answer
/// time does not tell whether an account exists.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("duken: no such password"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery");
        let b = hash("correct horse battery");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(a.starts_with("argon2id$v=19$m="));
        assert!(!a.contains("correct horse"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("correct horse battery", "argon2id$v=19$m=1,t=1,p=1$zz$zz"));
        assert!(!verify("x", "plaintext"));
    }

    #[test]
    fn acceptable_passwords() {
        assert!(acceptable("қазақ тілі 2026"));
        assert!(!acceptable("short"));
        assert!(!acceptable("87012345678"), "digits only");
        assert!(!acceptable(&"a".repeat(129)));
    }
}
