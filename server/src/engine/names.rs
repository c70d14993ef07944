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
    /// The signed-in user's own plan, tier, credits or a flag like `isPro`
    /// (`profile.plan`, `hasActiveSubscription`), not a plan in a pricing
    /// list (`plan.name`), a realtime `channelSubscription` or a `isPaid` invoice.
    UserEntitlement,
    /// A user entitlement that is a value (`plan`, `tier`), not a yes/no flag:
    /// `if (tier)` only asks whether it has loaded.
    EntitlementValue,
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
            "user-entitlement" => NameClass::UserEntitlement,
            "entitlement-value" => NameClass::EntitlementValue,
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
        NameClass::UserEntitlement => user_entitlement(name).is_some(),
        NameClass::EntitlementValue => user_entitlement(name) == Some(EntitlementForm::Value),
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
            // `NEXT_PUBLIC_`, `EXPO_PUBLIC_`, `PUBLIC_`: the framework's prefix
            // says where the value goes, not what it is; a `public` after it
            // (`VITE_STRIPE_PUBLIC_KEY`) says it is meant to be seen.
            let prefix = match words.first().map(String::as_str) {
                Some("public") => 1,
                Some(_) if words.get(1).is_some_and(|w| w == "public") => 2,
                _ => 1,
            };
            let public_marker = words.iter().skip(prefix).any(|w| PUBLIC_MARKERS.contains(&w.as_str())) || has("anon");
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EntitlementForm {
    /// `isPro`, `hasActiveSubscription`.
    Flag,
    /// `profile.plan`, `subscription.status`, `credits_remaining`.
    Value,
}

/// Whether an expression (`profile?.subscription_tier`, `isPremium`) names
/// the current user's entitlement, and in which form.
fn user_entitlement(name: &str) -> Option<EntitlementForm> {
    // Words that make the name about something else: a list item's label, a
    // React ref, a realtime or push subscription, an invoice being paid.
    const ELSEWHERE: &[&str] = &[
        "ref",
        "url",
        "id",
        "ids",
        "name",
        "names",
        "type",
        "types",
        "price",
        "prices",
        "index",
        "idx",
        "error",
        "loading",
        "modal",
        "dialog",
        "open",
        "button",
        "badge",
        "color",
        "label",
        "date",
        "at",
        "count",
        "push",
        "notification",
        "notifications",
        "channel",
        "realtime",
        "auth",
        "listener",
        "event",
        "events",
        "meal",
        "step",
        "steps",
        "payment",
        "payments",
        "invoice",
        "installment",
        "fee",
        "fees",
        "api",
        "key",
        "stripe",
        "required",
        "option",
        "options",
        "card",
        "requested",
        "selected",
        "today",
        "workout",
        "training",
        "diet",
        "treatment",
        "lesson",
        "floor",
        "business",
        "marketing",
        "pricing",
        "interval",
        "period",
        "billing",
        "description",
        "text",
        "title",
        "features",
        "limit",
        "limits",
        "display",
        "config",
    ];
    const USER: &[&str] = &[
        "user",
        "profile",
        "account",
        "current",
        "my",
        "me",
        "subscription",
        "active",
        "org",
        "organization",
        "team",
        "workspace",
        "customer",
        "data",
        "session",
        "viewer",
        "member",
        "tenant",
        "effective",
    ];
    let segments: Vec<&str> = name
        .split(['.', '?', '[', ']', '(', ')', '!'])
        .map(|s| s.trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c.is_whitespace()))
        .filter(|s| !s.is_empty())
        .collect();
    let last = *segments.last()?;
    let last_words = words(last);
    let all_words = words(name);
    if all_words.iter().any(|w| ELSEWHERE.contains(&w.as_str())) {
        return None;
    }
    let has = |w: &str| last_words.iter().any(|x| x == w);
    let first = last_words.first().map(String::as_str).unwrap_or("");
    if matches!(first, "is" | "has" | "can") {
        let about_plan = [
            "pro",
            "premium",
            "subscribed",
            "subscriber",
            "vip",
            "unlimited",
            "plan",
            "tier",
            "subscription",
            "paying",
            "trial",
            "upgraded",
        ]
        .iter()
        .any(|w| has(w));
        return about_plan.then_some(EntitlementForm::Flag);
    }
    if has("credits") || has("quota") || has("entitlement") || has("entitlements") {
        return Some(EntitlementForm::Value);
    }
    let qualified = all_words.iter().any(|w| USER.contains(&w.as_str())) || segments.len() == 1;
    if (has("plan") || has("tier") || has("subscription") || has("subscribed")) && qualified {
        return Some(EntitlementForm::Value);
    }
    // `subscription.status`, `profile.subscription_status`.
    if has("status") && all_words.iter().any(|w| w == "subscription") {
        return Some(EntitlementForm::Value);
    }
    None
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
        assert!(!is_in_class("VITE_STRIPE_PUBLIC_KEY", NameClass::SecretName));
        assert!(is_in_class("PUBLIC_GOOGLE_CLIENT_SECRET", NameClass::SecretName));
        assert!(!is_in_class(
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            NameClass::SecretName
        ));
        assert!(is_in_class("billingEmail", NameClass::PersonalData));
        assert!(is_in_class("date_of_birth", NameClass::PersonalData));
        assert!(is_in_class("isAdmin", NameClass::Admin));
    }

    #[test]
    fn user_entitlements_are_the_users_own_plan_not_any_name_with_plan_in_it() {
        for yes in [
            "profile.plan",
            "user?.subscription_tier",
            "isPro",
            "user.isPremium",
            "hasActiveSubscription",
            "credits",
            "profile.credits_remaining",
            "subscription?.status",
            "plan",
            "currentPlan",
        ] {
            assert!(is_in_class(yes, NameClass::UserEntitlement), "{yes}");
        }
        for no in [
            "planError",
            "plan.name",
            "plan.isEnterprise",
            "channelSubscriptionRef.current",
            "authSubscription",
            "business_plan_url",
            "isPaid",
            "row.credit",
            "booking.meal_plan",
            "tier.api_access",
            "planType",
            "todayPlan",
            "selectedTier",
            "product",
            "creditIndex",
        ] {
            assert!(!is_in_class(no, NameClass::UserEntitlement), "{no}");
        }
        assert!(is_in_class("tier", NameClass::EntitlementValue));
        assert!(!is_in_class("isPro", NameClass::EntitlementValue));
    }
}
