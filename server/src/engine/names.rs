//! Name classes: what an identifier, property or env name is about.
//!
//! Names are split into lowercase words (`isPremiumUser` → is, premium,
//! user; `NEXT_PUBLIC_OPENAI_API_KEY` → next, public, openai, api, key) and
//! matched word by word, so `product` never counts as `pro`.

/// A family of names a rule can ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameClass {
    /// Personal data: e-mail, phone, address, birth date, card, government id.
    PersonalData,
    /// Paid plan, credits or quota.
    Entitlement,
    /// Admin flags and roles.
    Admin,
    /// Names of values that must stay on a server.
    SecretName,
}

impl NameClass {
    pub fn parse(name: &str) -> Option<NameClass> {
        Some(match name {
            "personal-data" => NameClass::PersonalData,
            "entitlement" => NameClass::Entitlement,
            "admin" => NameClass::Admin,
            "secret-name" => NameClass::SecretName,
            _ => return None,
        })
    }
}

/// Splits an identifier into lowercase words at case changes, digits and
/// separators.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev: Option<char> = None;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev = None;
            continue;
        }
        let boundary = match prev {
            Some(p) => (p.is_lowercase() && ch.is_uppercase()) || (p.is_ascii_digit() != ch.is_ascii_digit()),
            None => false,
        };
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.extend(ch.to_lowercase());
        prev = Some(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

const PAID_PROVIDERS: &[&str] = &[
    "openai",
    "anthropic",
    "claude",
    "groq",
    "replicate",
    "perplexity",
    "mistral",
    "cohere",
    "elevenlabs",
    "deepseek",
    "gemini",
    "together",
    "fireworks",
    "stripe",
    "resend",
    "sendgrid",
    "twilio",
    "postmark",
    "mailgun",
    "openrouter",
    "xai",
    "pinecone",
    "aws",
    "github",
];

/// Words that mark a value as public by design even when it has `key` in it.
const PUBLIC_MARKERS: &[&str] = &[
    "anon",
    "publishable",
    "public",
    "site",
    "measurement",
    "firebase",
    "maps",
];

pub fn is_in_class(name: &str, class: NameClass) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined = words.join("");
    match class {
        NameClass::PersonalData => {
            const WORDS: &[&str] = &[
                "email",
                "phone",
                "mobile",
                "address",
                "street",
                "zip",
                "zipcode",
                "postcode",
                "birthday",
                "birthdate",
                "dob",
                "ssn",
                "passport",
                "iban",
                "cvv",
                "cvc",
                "tel",
            ];
            words.iter().any(|w| WORDS.contains(&w.as_str()))
                || (has("birth") && has("date"))
                || (has("card") && (has("number") || has("num")))
                || (has("national") && has("id"))
                || (has("tax") && has("id"))
        }
        NameClass::Entitlement => {
            const WORDS: &[&str] = &[
                "plan",
                "tier",
                "premium",
                "pro",
                "subscription",
                "subscribed",
                "credits",
                "credit",
                "quota",
                "entitlement",
                "entitlements",
                "paid",
                "paying",
                "vip",
            ];
            words.iter().any(|w| WORDS.contains(&w.as_str()))
        }
        NameClass::Admin => {
            const WORDS: &[&str] = &[
                "admin",
                "superuser",
                "superadmin",
                "staff",
                "moderator",
                "role",
                "roles",
            ];
            words.iter().any(|w| WORDS.contains(&w.as_str()))
        }
        NameClass::SecretName => {
            let public_marker = words
                .iter()
                .skip(1)
                .any(|w| PUBLIC_MARKERS.contains(&w.as_str()) && w != "public")
                || words.iter().filter(|w| *w == "public").count() > 1
                || has("anon");
            if public_marker {
                return false;
            }
            has("secret")
                || joined.contains("servicerole")
                || (has("private") && has("key"))
                || has("password")
                || has("passwd")
                || (words.iter().any(|w| PAID_PROVIDERS.contains(&w.as_str()))
                    && (has("key") || has("token") || has("apikey")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_camel_snake_and_screaming_case() {
        assert_eq!(words("isPremiumUser"), ["is", "premium", "user"]);
        assert_eq!(
            words("NEXT_PUBLIC_OPENAI_API_KEY"),
            ["next", "public", "openai", "api", "key"]
        );
        assert_eq!(words("user.plan"), ["user", "plan"]);
    }

    #[test]
    fn classes() {
        assert!(is_in_class("profile.subscription_tier", NameClass::Entitlement));
        assert!(!is_in_class("product", NameClass::Entitlement));
        assert!(is_in_class("NEXT_PUBLIC_OPENAI_API_KEY", NameClass::SecretName));
        assert!(is_in_class("VITE_SUPABASE_SERVICE_ROLE_KEY", NameClass::SecretName));
        assert!(!is_in_class("NEXT_PUBLIC_SUPABASE_ANON_KEY", NameClass::SecretName));
        assert!(!is_in_class("NEXT_PUBLIC_FIREBASE_API_KEY", NameClass::SecretName));
        assert!(!is_in_class(
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            NameClass::SecretName
        ));
        assert!(is_in_class("billingEmail", NameClass::PersonalData));
        assert!(is_in_class("date_of_birth", NameClass::PersonalData));
        assert!(is_in_class("isAdmin", NameClass::Admin));
    }
}
