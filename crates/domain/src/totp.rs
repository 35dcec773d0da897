//! A second factor at sign-in: the six-digit codes an authenticator app shows (TOTP, RFC 6238:
//! HMAC-SHA-1 over 30-second steps, as every common app reads it), and one-time recovery
//! codes for a lost phone. The time is passed in.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds a code lasts.
pub const STEP_SECONDS: i64 = 30;
/// Steps of clock drift allowed either way: a code is taken for 30 s before and after its own.
pub const DRIFT_STEPS: i64 = 1;
/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    #[allow(clippy::expect_used)] // without randomness no secret can be made safe
    getrandom::getrandom(&mut bytes).expect("the operating system provides random bytes");
    bytes
}

/// Base32 (RFC 4648) without padding, as authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The bytes of a base32 secret (any case, spaces ignored); `None` when it is not base32.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// A new shared secret of 160 random bits (the length RFC 4226 recommends), in base32.
pub fn new_secret() -> String {
    base32(&random::<20>())
}

/// The step a time (milliseconds since 1970) falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000).div_euclid(STEP_SECONDS)
}

/// The six-digit code of `step` (HOTP, RFC 4226, over the step's count).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    #[allow(clippy::expect_used)] // HMAC takes a key of any length
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let value = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    value % 1_000_000
}

/// The step whose code `typed` is, at `now_ms`, within the allowed drift; `None` when it is
/// none of them, or not six digits (spaces are ignored), or the secret is not base32.
pub fn verify(secret_base32: &str, typed: &str, now_ms: i64) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = digits.parse().ok()?;
    let secret = from_base32(secret_base32)?;
    let now = step_at(now_ms);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS).find(|&step| code_at(&secret, step) == typed)
}

/// The `otpauth://` address an authenticator app reads from the set-up QR code.
pub fn setup_uri(secret_base32: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// A new recovery code: 60 random bits as three groups of four base32 characters, such as
/// `k7qm-2xfa-p9rt` (without 0, 1, 8 or 9, which are not base32).
pub fn new_recovery_code() -> String {
    let text = base32(&random::<8>()).to_lowercase();
    format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12])
}

/// A typed recovery code as it is hashed: lower case, without spaces or dashes.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B, SHA-1: the last six of the eight digits.
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (seconds, code) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
            (20_000_000_000, 353_130),
        ] {
            assert_eq!(code_at(secret, step_at(seconds * 1000)), code, "at {seconds} s");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(from_base32("mzxw 6ytb oi").unwrap(), b"foobar");
        assert_eq!(from_base32("MZ1"), None, "1 is not base32");
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(base32(&from_base32(&secret).unwrap()), secret);
    }

    #[test]
    fn a_code_is_taken_within_one_step_of_drift_and_not_beyond() {
        let secret = base32(b"12345678901234567890");
        let at = 1_111_111_109_000;
        assert_eq!(verify(&secret, "081 804", at), Some(step_at(at)));
        assert_eq!(verify(&secret, "081804", at + 30_000), Some(step_at(at)), "30 s late");
        assert_eq!(verify(&secret, "081804", at - 30_000), Some(step_at(at)), "30 s early");
        assert_eq!(verify(&secret, "081804", at + 61_000), None, "over a minute late");
        assert_eq!(verify(&secret, "81804", at), None, "five digits");
        assert_eq!(verify(&secret, "08180a", at), None);
    }

    #[test]
    fn recovery_codes_are_typed_in_any_case_with_or_without_dashes() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 14);
        assert_eq!(normalise_recovery_code(&code.to_uppercase().replace('-', " ")), code.replace('-', ""));
        assert_ne!(new_recovery_code(), code);
    }

    #[test]
    fn the_setup_address_names_the_clinic_and_the_member() {
        let uri = setup_uri("JBSWY3DPEHPK3PXP", "Aftercare (Calm Hands)", "ada@calm.example");
        assert_eq!(
            uri,
            "otpauth://totp/Aftercare%20%28Calm%20Hands%29:ada%40calm.example?secret=JBSWY3DPEHPK3PXP\
             &issuer=Aftercare%20%28Calm%20Hands%29&algorithm=SHA1&digits=6&period=30"
        );
    }
}
