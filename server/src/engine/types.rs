//! The vocabulary shared by every part of the engine and its front-ends.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A half-open byte range into a file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// How loudly a finding speaks. Ordered from quietest to loudest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Hint, Severity::Info, Severity::Warning, Severity::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| format!("unknown severity `{s}` (expected hint, info, warning or error)"))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! categories {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// The fixed categories of the outside contract (`shared/contract.md`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Category { $($variant),* }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Category::$variant => $name),* }
            }
        }
    };
}

categories! {
    SecretInClient => "secret-in-client",
    SecretHardcoded => "secret-hardcoded",
    ClientSideEntitlement => "client-side-entitlement",
    ClientSideAuth => "client-side-auth",
    UnauthenticatedCost => "unauthenticated-cost",
    Idor => "idor",
    WebhookUnverified => "webhook-unverified",
    SignupFlow => "signup-flow",
    UserData => "user-data",
    RlsMissing => "rls-missing",
    RlsPermissive => "rls-permissive",
    RlsNoPolicy => "rls-no-policy",
    PublicBucket => "public-bucket",
    SecurityDefiner => "security-definer",
    SqlInjection => "sql-injection",
    XssSink => "xss-sink",
    CodeEval => "code-eval",
    JwtMisuse => "jwt-misuse",
    InsecureCookie => "insecure-cookie",
    CorsWildcard => "cors-wildcard",
    WeakRandom => "weak-random",
    OpenRedirect => "open-redirect",
    LogSensitive => "log-sensitive",
    Other => "other",
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Category::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown category `{s}`"))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One replacement of a byte range with new text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// A suggested change that resolves a finding; edits never overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// Another place that explains a finding, possibly in another file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub path: PathBuf,
    pub span: Span,
    /// 0-based line of `span.start`, precomputed because the related file's
    /// text may not be at hand when the finding is shown.
    pub line: usize,
    pub message: String,
}

/// One nudge: a rule that matched a span of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: String,
    pub category: Category,
    pub severity: Severity,
    /// The gentle one-line message; secrets in it are already masked.
    pub message: String,
    pub span: Span,
    /// Why this file was judged the way it was ("runs in the browser: it
    /// starts with \"use client\""), for hovers and `--explain-context`.
    pub reason: Option<String>,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
    /// Values the rule's predicates produced (`provider`, `masked`,
    /// `table`), for front-ends that offer actions. Never a secret's value.
    pub vars: Vec<(String, String)>,
}
