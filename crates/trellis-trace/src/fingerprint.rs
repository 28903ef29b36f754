//! A requirement text's fingerprint: what a person affirmed their tests against, so that a
//! reworded requirement makes its tests suspect.

use sha2::{Digest, Sha256};

/// How a fingerprint starts: the hash it is made with.
pub const FINGERPRINT_PREFIX: &str = "sha256:";

/// The fingerprint of a requirement's text: `sha256:` and the first 16 hex digits (64 bits) of
/// the SHA-256 of the text with its whitespace normalised: every run of whitespace (spaces, tabs,
/// line ends, any Unicode whitespace) becomes one space, and none is kept at either end. So
/// reflowing a text or re-indenting it in `Trellis.toml` keeps its fingerprint, and any change
/// to a word, a letter's case or punctuation changes it.
///
/// Stable across versions: a ledger stores it, and a change here would make every affirmed
/// requirement suspect.
pub fn fingerprint(text: &str) -> String {
    let mut hasher = Sha256::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            hasher.update(b" ");
        }
        hasher.update(word.as_bytes());
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(FINGERPRINT_PREFIX.len() + 16);
    out.push_str(FINGERPRINT_PREFIX);
    for byte in &digest[..8] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn whitespace_does_not_count_but_words_do() {
        let a = fingerprint("Every entry balances");
        assert_eq!(a, fingerprint("  Every\n  entry\tbalances \n"));
        assert_ne!(a, fingerprint("Every entry balances."));
        assert_ne!(a, fingerprint("every entry balances"));
        assert_ne!(a, fingerprint("Everyentry balances"));
        assert!(a.starts_with("sha256:") && a.len() == 7 + 16, "{a}");
        assert!(a[7..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    #[test]
    fn it_is_the_sha256_of_the_normalised_text() {
        // `printf 'a b' | sha256sum` starts with c8687a08aa5d6ed2.
        assert_eq!(fingerprint(" a\n b "), "sha256:c8687a08aa5d6ed2");
        // The empty text: e3b0c44298fc1c14…
        assert_eq!(fingerprint(" \n"), "sha256:e3b0c44298fc1c14");
    }
}
