//! Secret shapes: provider formats first, placeholders and public-by-design
//! values excluded, entropy only as a secondary filter.
//!
//! Invariant: nothing here returns or formats a secret's value; what it
//! prints is a masked form that keeps at most a provider prefix and the last
//! two characters.

use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;

/// A value that looks like a real secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMatch {
    /// Human name of what was found ("Stripe secret key").
    pub provider: &'static str,
    /// Byte range of the secret inside the examined text.
    pub start: usize,
    pub end: usize,
    /// Safe to print: prefix and last two characters only.
    pub masked: String,
}

struct Format {
    provider: &'static str,
    regex: Regex,
    /// Visible prefix length in a masked value.
    prefix_len: usize,
    /// Minimum Shannon entropy (bits per character) of the part after the
    /// prefix; a second line of defence against placeholders.
    min_entropy: f64,
}

static FORMATS: LazyLock<Vec<Format>> = LazyLock::new(|| {
    let f = |provider, pattern: &str, prefix_len, min_entropy| Format {
        provider,
        regex: Regex::new(pattern).expect("built-in secret pattern"),
        prefix_len,
        min_entropy,
    };
    vec![
        f(
            "Stripe secret key",
            r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{24,99}\b",
            8,
            3.0,
        ),
        f("Stripe webhook signing secret", r"\bwhsec_[0-9A-Za-z+/=]{24,}", 6, 3.0),
        f(
            "OpenAI API key",
            r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{10,}T3BlbkFJ[A-Za-z0-9_-]{10,}",
            8,
            3.0,
        ),
        f(
            "OpenAI API key",
            r"\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b",
            3,
            3.0,
        ),
        f(
            "Anthropic API key",
            r"\bsk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{80,110}AA\b",
            14,
            3.0,
        ),
        f("Groq API key", r"\bgsk_[A-Za-z0-9]{52}\b", 4, 3.0),
        f("Perplexity API key", r"\bpplx-[A-Za-z0-9]{48}\b", 5, 3.0),
        f("Hugging Face token", r"\bhf_[A-Za-z]{34}\b", 3, 3.0),
        f("Replicate API token", r"\br8_[A-Za-z0-9]{37}\b", 3, 3.0),
        f("AWS access key id", r"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b", 4, 2.5),
        f("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b", 4, 3.0),
        f("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36}\b", 4, 3.0),
        f("GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b", 11, 3.0),
        f("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20}\b", 6, 3.0),
        f("npm token", r"\bnpm_[A-Za-z0-9]{36}\b", 4, 3.0),
        f("Slack token", r"\bxox[bpae]-[0-9A-Za-z-]{20,}", 5, 3.0),
        f("Slack app token", r"\bxapp-[0-9A-Za-z-]{20,}", 5, 3.0),
        f(
            "Slack webhook URL",
            r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}",
            29,
            3.0,
        ),
        f(
            "SendGrid API key",
            r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
            3,
            3.0,
        ),
        f("Twilio API key", r"\bSK[0-9a-f]{32}\b", 2, 3.0),
        f("Resend API key", r"\bre_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16,}\b", 3, 3.0),
        f("Supabase secret key", r"\bsb_secret_[A-Za-z0-9_-]{20,}", 10, 3.0),
        f(
            "private key",
            r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----[\s\\n]*[A-Za-z0-9+/=\s\\n]{64,}",
            0,
            3.0,
        ),
    ]
});

static JWT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\beyJ[A-Za-z0-9_-]{8,}\.(eyJ[A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]{8,}").expect("jwt"));

static DB_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis)://([^:/\s@]+):([^@\s/]+)@([^/\s:?]+)")
        .expect("db url")
});

static JWT_ROLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""role"\s*:\s*"([A-Za-z_]+)""#).expect("role"));

static ANY_SHAPE: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    let patterns = FORMATS
        .iter()
        .map(|f| f.regex.as_str().to_string())
        .chain([JWT.as_str().to_string(), DB_URL.as_str().to_string()]);
    regex::RegexSet::new(patterns).expect("secret shapes combine")
});

/// A quick byte-level scan: whether `text` holds anything shaped like a
/// provider secret. A necessary condition for [`find_secret`] finding one,
/// so files without a match skip the secret rules entirely.
pub fn might_contain_secret(text: &str) -> bool {
    ANY_SHAPE.is_match(text)
}

/// Every secret value in `text` that output must hide, in order, as
/// (value, masked form): [`sensitive_spans`], without placeholders and the
/// short plain words (`test`, `admin`) that would mask ordinary prose
/// wherever they appear.
/// The values are for comparing and masking only; never print them.
pub fn all_secrets(text: &str) -> Vec<(String, String)> {
    sensitive_spans(text)
        .into_iter()
        .map(|s| (text[s.start..s.end].to_string(), s.masked))
        .filter(|(value, _)| {
            (value.len() >= 8 || value.chars().any(|c| !c.is_ascii_alphabetic())) && !is_placeholder(value)
        })
        .collect()
}

/// Finds the first real-looking secret in `text`, skipping public-by-design
/// values and placeholders. `name` is the identifier the value is bound to,
/// if known (a property key, variable or env name): it separates a Firebase
/// web `apiKey` (public) from other Google keys.
pub fn find_secret(text: &str, name: Option<&str>) -> Option<SecretMatch> {
    if text.len() < 16 {
        return None;
    }
    for format in FORMATS.iter() {
        for found in format.regex.find_iter(text) {
            let value = found.as_str();
            let body = &value[format.prefix_len.min(value.len())..];
            if is_placeholder(body) || shannon_entropy(body) < format.min_entropy {
                continue;
            }
            if format.provider == "Google API key" && name.is_some_and(is_firebase_config_name) {
                continue;
            }
            let provider = if format.provider == "Stripe secret key"
                && name.is_some_and(|n| n.to_ascii_lowercase().contains("clerk"))
            {
                "Clerk secret key"
            } else {
                format.provider
            };
            return Some(SecretMatch {
                provider,
                start: found.start(),
                end: found.end(),
                masked: mask_with_prefix(value, format.prefix_len),
            });
        }
    }
    for found in JWT.captures_iter(text) {
        let whole = found.get(0).expect("group 0");
        if jwt_role(whole.as_str()).as_deref() == Some("service_role") {
            return Some(SecretMatch {
                provider: "Supabase service-role key",
                start: whole.start(),
                end: whole.end(),
                masked: mask_with_prefix(whole.as_str(), 6),
            });
        }
    }
    for found in DB_URL.captures_iter(text) {
        let password = found.get(2).expect("password group").as_str();
        let host = found.get(3).expect("host group").as_str();
        let user = found.get(1).expect("user group").as_str();
        let local = matches!(
            host,
            "localhost" | "127.0.0.1" | "0.0.0.0" | "db" | "postgres" | "host" | "hostname"
        );
        const STAND_INS: &[&str] = &[
            "password", "pass", "passwd", "pwd", "secret", "admin", "root", "test", "postgres",
        ];
        let stand_in = STAND_INS.contains(&password.to_ascii_lowercase().as_str()) || password == user;
        if local || stand_in || is_placeholder(password) || password.len() < 6 {
            continue;
        }
        let whole = found.get(0).expect("group 0");
        let scheme_end = whole.as_str().find("://").map(|i| i + 3).unwrap_or(0);
        return Some(SecretMatch {
            provider: "database URL with a password",
            start: whole.start(),
            end: whole.end(),
            masked: format!("{}…:…@{host}", &whole.as_str()[..scheme_end]),
        });
    }
    None
}

/// True for the names a Firebase web config uses for its public identifier.
fn is_firebase_config_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "apikey" || lower.contains("firebase") || lower.contains("maps")
}

/// The `role` claim of a JWT's payload, decoded without verifying anything.
pub fn jwt_role(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let json = String::from_utf8(bytes).ok()?;
    JWT_ROLE.captures(&json).map(|c| c[1].to_string())
}

/// Values that stand in for a secret in docs, templates and examples.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "your",
        "example",
        "placeholder",
        "changeme",
        "change_me",
        "dummy",
        "xxxx",
        "redacted",
        "replace",
        "insert",
        "sample",
        "<",
        ">",
        "${",
        "{{",
        "...",
        "…",
        "***",
        "todo",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if lower.len() > 2 && lower.starts_with('%') && lower.ends_with('%') {
        return true;
    }
    longest_run(value) >= 6 || distinct_chars(value) <= 3
}

fn longest_run(value: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut last = None;
    for ch in value.chars() {
        run = if Some(ch) == last { run + 1 } else { 1 };
        last = Some(ch);
        best = best.max(run);
    }
    best
}

fn distinct_chars(value: &str) -> usize {
    let mut seen: Vec<char> = value.chars().collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(value: &str) -> f64 {
    let mut counts = [0usize; 256];
    let mut total = 0usize;
    for byte in value.bytes() {
        counts[byte as usize] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// A value to hide in output, found by [`sensitive_spans`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sensitive {
    pub start: usize,
    pub end: usize,
    /// Safe to print: at most a provider prefix and the last two characters.
    pub masked: String,
}

/// Names whose values are secrets whatever they look like.
fn secret_named(name: &str) -> bool {
    let words = super::names::words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    const ALWAYS: &[&str] = &[
        "secret",
        "secrets",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "pass",
        "token",
        "tokens",
        "apikey",
        "credential",
        "credentials",
        "bearer",
        "salt",
        "dsn",
        "pat",
        "privatekey",
        "accesskey",
        "authtoken",
    ];
    if words.iter().any(|w| ALWAYS.contains(&w.as_str())) {
        return true;
    }
    // `key` names a secret next to a provider or a kind of key
    // (`STRIPE_KEY`, `service_role_key`), not in `queryKey` or `primaryKey`.
    const NOT_SECRET_KEYS: &[&str] = &[
        "query",
        "storage",
        "cache",
        "primary",
        "foreign",
        "sort",
        "map",
        "lookup",
        "translation",
        "i18n",
        "react",
        "unique",
        "item",
        "row",
        "column",
        "group",
        "list",
        "local",
        "session",
        "index",
        "hot",
        "keyboard",
        "press",
        "public",
        "publishable",
        "anon",
        "site",
        "idempotency",
        "partition",
        "route",
        "form",
        "field",
        "data",
        "object",
        "menu",
        "tab",
        "step",
        "page",
        "node",
        "child",
        "element",
        "component",
        "i18next",
        "locale",
    ];
    (has("key") || has("keys")) && words.len() >= 2 && !words.iter().any(|w| NOT_SECRET_KEYS.contains(&w.as_str()))
}

/// `NAME = "value"`, `name: 'value'`, `NAME=value` (env and YAML lines),
/// `"name": "value"` (JSON): the name and the value's quoted or bare body.
static NAME_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)(^|[\s{(,;:\[])["']?([A-Za-z_$@][\w$.-]{1,80})["']?(\s*(?::=|=>|=|:)[ \t]*)(?:"([^"\n]{4,300})"|'([^'\n]{4,300})'|`([^`\n$]{4,300})`|([^\s"'`,;){}\[\]<>]{4,300}))"#,
    )
    .expect("name-value pattern")
});

/// A signing or encryption key handed to a library as a literal:
/// `jwt.sign(payload, "secret")`, `createHmac("sha256", "key")`.
static KEY_ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\b(?:sign|verify|createHmac|createCipheriv|createDecipheriv|HmacSHA256|hmac)\s*\(\s*[^,()\n]{1,200},\s*(?:"([^"\n]{3,300})"|'([^'\n]{3,300})'|`([^`\n$]{3,300})`)"#,
    )
    .expect("key argument pattern")
});

/// Credentials in URLs, headers and commands.
static INLINE_CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:[a-z][a-z0-9+.-]*://[^\s:/@"'`]+:([^\s@/"'`]{3,200})@|\bbearer\s+([A-Za-z0-9._~+/=-]{12,})|\bbasic\s+([A-Za-z0-9+/=]{12,})|\bcurl\b[^\n]*?\s-u\s*["']?[^\s:"']+:([^\s"']{3,200}))"#,
    )
    .expect("inline credential pattern")
});

static ANY_JWT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}").expect("jwt"));

/// Every part of `text` that output must not show: provider-formatted
/// secrets, values bound to secret-like names (however they look), keys
/// handed to signing and cipher functions, credentials inside URLs,
/// headers and commands, and every JWT. Broader than what rules report: a
/// masked non-secret in a code frame costs nothing, a shown secret a lot.
/// Sorted, non-overlapping.
pub fn sensitive_spans(text: &str) -> Vec<Sensitive> {
    let mut out: Vec<Sensitive> = Vec::new();
    let mut from = 0;
    if might_contain_secret(text) {
        while from < text.len() {
            let Some(found) = find_secret(&text[from..], None) else {
                break;
            };
            out.push(Sensitive {
                start: from + found.start,
                end: from + found.end,
                masked: found.masked,
            });
            from += found.end.max(1);
            while from < text.len() && !text.is_char_boundary(from) {
                from += 1;
            }
        }
    }
    let mut push = |start: usize, end: usize| {
        let value = &text[start..end];
        if value.trim().is_empty() {
            return;
        }
        out.push(Sensitive {
            start,
            end,
            masked: mask_with_prefix(value, 0),
        });
    };
    for found in NAME_VALUE.captures_iter(text) {
        let name = found.get(2).expect("name group").as_str();
        let Some(value) = (4..=7).find_map(|i| found.get(i)) else {
            continue;
        };
        let body = value.as_str();
        // `NAME=value` at the start of a line is an env file's (or a
        // shell's) assignment: a bare value is the value itself. Elsewhere a
        // bare word is code (`password: hashed`, `token: string`).
        let env_line = found
            .get(1)
            .is_some_and(|m| m.as_str().is_empty() || m.as_str() == "\n")
            && found.get(3).is_some_and(|op| op.as_str() == "=");
        let bare = found.get(7).is_some();
        let looks_like_code = body.starts_with("process.env")
            || body.starts_with("import.meta")
            || body.starts_with("Deno.env")
            || body.contains("${")
            || (bare && !env_line && body.contains('('))
            || (bare
                && !env_line
                && !body.chars().any(|c| c.is_ascii_digit())
                && body.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '_'));
        if !secret_named(name) || looks_like_code || matches!(body, "true" | "false" | "null" | "undefined") {
            continue;
        }
        push(value.start(), value.end());
    }
    for found in KEY_ARGUMENT.captures_iter(text) {
        if let Some(value) = (1..=3).find_map(|i| found.get(i)) {
            push(value.start(), value.end());
        }
    }
    for found in INLINE_CREDENTIAL.captures_iter(text) {
        if let Some(value) = (1..=4).find_map(|i| found.get(i)) {
            push(value.start(), value.end());
        }
    }
    for found in ANY_JWT.find_iter(text) {
        out.push(Sensitive {
            start: found.start(),
            end: found.end(),
            masked: mask_with_prefix(found.as_str(), 6),
        });
    }
    out.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<Sensitive> = Vec::with_capacity(out.len());
    for item in out {
        match merged.last_mut() {
            Some(last) if item.start < last.end => {
                if item.end > last.end {
                    last.end = item.end;
                }
            }
            _ => merged.push(item),
        }
    }
    merged
}

/// `text` with every [`sensitive_spans`] value starred out, keeping any
/// provider prefix and the last two characters of long values. Byte length
/// is unchanged (only ASCII is replaced by `*`, other characters by as many
/// `*` as their bytes), so spans computed on the original still fit.
pub fn redact(text: &str) -> String {
    let spans = sensitive_spans(text);
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        let value = &text[span.start..span.end];
        let visible_prefix = span.masked.split('…').next().map_or(0, str::len).min(value.len());
        let keep_tail = if value.len() >= 12 { 2 } else { 0 };
        for (i, ch) in value.char_indices() {
            if (i < visible_prefix && value.is_char_boundary(visible_prefix))
                || i >= value.len() - keep_tail
                || ch.is_whitespace()
            {
                out.push(ch);
            } else {
                out.extend(std::iter::repeat_n('*', ch.len_utf8()));
            }
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with every secret in it starred out except its provider prefix
/// and last two characters. Byte length is unchanged (secrets are ASCII),
/// so spans computed on the original still fit; used for code frames.
pub fn mask_in_place(text: &str) -> String {
    let mut out = text.to_string();
    let mut offset = 0;
    while offset < out.len() {
        let Some(found) = find_secret(&out[offset..], None) else {
            break;
        };
        let (start, end) = (offset + found.start, offset + found.end);
        let visible_prefix = found.masked.split('…').next().map_or(0, |p| p.len());
        let keep_tail = if end - start >= 12 { 2 } else { 0 };
        let star_from = start + visible_prefix;
        let star_to = end - keep_tail;
        if star_to > star_from && out.is_char_boundary(star_from) && out.is_char_boundary(star_to) {
            let stars: String = out[star_from..star_to]
                .chars()
                .map(|c| if c.is_whitespace() { c } else { '*' })
                .collect();
            out.replace_range(star_from..star_to, &stars);
        }
        offset = end.max(offset + 1);
    }
    out
}

/// A printable stand-in for a secret: its provider prefix (at most 12
/// characters) and last two characters, e.g. `sk_live_…a1`.
fn mask_with_prefix(value: &str, prefix_len: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let prefix_len = prefix_len.min(12).min(chars.len() / 3);
    let tail_len = if chars.len() >= 12 { 2 } else { 0 };
    let prefix: String = chars[..prefix_len].iter().collect();
    let tail: String = chars[chars.len() - tail_len..].iter().collect();
    format!("{prefix}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.{}",
            enc(r#"{"alg":"HS256","typ":"JWT"}"#),
            enc(payload),
            "dGhpc2lzbm90YXJlYWxzaWduYXR1cmVhdGFsbA"
        )
    }

    #[test]
    fn stripe_live_key_is_found_and_masked() {
        let value = "sk_live_51NqL3kJd8sPq2Wm7Zx4Rt9Yv6Bn0Hc";
        let found = find_secret(value, None).expect("secret");
        assert_eq!(found.provider, "Stripe secret key");
        assert_eq!(found.masked, "sk_live_…Hc");
        assert!(!found.masked.contains("51NqL3k"));
    }

    #[test]
    fn publishable_and_placeholder_values_are_not_secrets() {
        for value in [
            "pk_live_51NqL3kJd8sPq2Wm7Zx4Rt9Yv6Bn0Hc",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "sk_live_YOUR_STRIPE_SECRET_KEY_HERE1234",
            "sb_publishable_8k2LmQ9xW3zR7tYv1NpB4cD",
            "postgres://postgres:postgres@localhost:54322/postgres",
            "postgres://app:${DB_PASSWORD}@db.example.com/app",
            "mongodb://username:password@host:1234/db",
        ] {
            assert_eq!(find_secret(value, None), None, "{value}");
        }
    }

    #[test]
    fn supabase_jwt_role_decides() {
        let service = jwt(r#"{"iss":"supabase","ref":"abcd","role":"service_role","iat":1700000000}"#);
        let anon = jwt(r#"{"iss":"supabase","ref":"abcd","role":"anon","iat":1700000000}"#);
        assert_eq!(jwt_role(&service).as_deref(), Some("service_role"));
        assert_eq!(
            find_secret(&service, None).unwrap().provider,
            "Supabase service-role key"
        );
        assert_eq!(find_secret(&anon, None), None);
    }

    #[test]
    fn firebase_web_api_key_is_public_by_design() {
        let value = "AIzaSyD3kQ8mX2vLp9Rt4Wn7Bc1Hj6Fs0Ge5Ty8";
        assert_eq!(find_secret(value, Some("apiKey")), None);
        assert_eq!(
            find_secret(value, Some("GEOCODER_KEY")).unwrap().provider,
            "Google API key"
        );
    }

    #[test]
    fn mask_in_place_keeps_length_and_hides_the_body() {
        let line = "const k = \"sk_live_51NqL3kJd8sPq2Wm7Zx4Rt9Yv6Bn0Hc\"; // é";
        let masked = mask_in_place(line);
        assert_eq!(masked.len(), line.len());
        assert!(masked.contains("sk_live_****"), "{masked}");
        assert!(masked.ends_with("Hc\"; // é"), "{masked}");
        assert!(!masked.contains("51NqL3k"));
    }

    #[test]
    fn database_url_with_password() {
        let url = "postgresql://app:Vq83kLz02mPq@db.abcd.supabase.co:5432/postgres";
        let found = find_secret(url, None).unwrap();
        assert!(!found.masked.contains("Vq83kLz02mPq"));
    }

    #[test]
    fn output_hides_every_kind_of_secret_value() {
        let cases = [
            ("const secret = jwt.sign(payload, \"supersecret\");", "supersecret"),
            (
                "aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\"",
                "wJalrXUtnFEMI",
            ),
            ("NEXT_PUBLIC_API_SECRET=abc123def456", "abc123def456"),
            ("DB_PASSWORD=hunterhunter", "hunterhunter"),
            ("  password: \"correct horse battery\",", "correct horse"),
            (
                "const url = \"postgres://app:s3cr3tpass@db.example.com/app\";",
                "s3cr3tpass",
            ),
            (
                "headers: { Authorization: \"Bearer abcdefghijklmnopqrstuvwx\" }",
                "abcdefghijklmnop",
            ),
            ("curl -u admin:Pa55word https://api.example.com", "Pa55word"),
            ("app.use(session({ secret: 'keyboard cat' }))", "keyboard cat"),
            ("crypto.createHmac(\"sha256\", \"hmac-key-1234\")", "hmac-key-1234"),
            ("//registry.npmjs.org/:_authToken=npmtokenvalue123", "npmtokenvalue123"),
            ("const STRIPE_KEY = 'rk_local_0123456789abcdef'", "0123456789abcdef"),
        ];
        for (line, secret) in cases {
            let redacted = redact(line);
            assert_eq!(redacted.len(), line.len(), "{line}");
            assert!(!redacted.contains(secret), "{line} -> {redacted}");
        }
        for line in [
            "const token = user.token;",
            "password: string;",
            "<li key=\"item-1\">",
            "queryKey: [\"todos\"],",
            "const message = \"Enter your e-mail\";",
            "type: \"password\",",
        ] {
            assert_eq!(redact(line), line, "nothing to hide in {line}");
        }
    }

    #[test]
    fn entropy_filters_low_variety_bodies() {
        assert!(find_secret("sk_live_abababababababababababababab", None).is_none());
        assert!(shannon_entropy("aaaa") < 0.01);
        assert!(shannon_entropy("a1B2c3D4e5F6") > 3.0);
    }
}
