//! `.nudge.toml`: optional project configuration.
//!
//! Everything has a default, so Nudge works with no file at all. Unknown keys
//! and bad values are errors with the file and line, never silently ignored:
//! a typo in a severity override should not quietly change nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use super::context::ContextKind;
use super::types::{Category, Severity};

/// The file name looked for in each directory.
pub const CONFIG_FILE_NAME: &str = ".nudge.toml";

/// A severity override: a level, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "off" {
            return Ok(Level::Off);
        }
        text.parse::<Severity>().map(Level::On).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown level `{text}` (expected off, hint, info, warning or error)"
            ))
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<String, Level>,
    #[serde(default)]
    categories: BTreeMap<String, Level>,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    context: BTreeMap<String, String>,
    #[serde(default)]
    env: RawEnv,
    #[serde(default)]
    sql: RawSql,
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_kib: Option<u64>,
    max_line_kib: Option<u64>,
    max_ms_per_file: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    #[serde(default)]
    public_prefixes: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSql {
    exposed_schemas: Option<Vec<String>>,
}

/// A configuration problem, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl ConfigError {
    /// The message as it may be shown: a configuration file can hold a key
    /// pasted into the wrong place, and parse errors quote what they read,
    /// so only short name-like values stay quoted; the rest become their
    /// length.
    pub fn safe_message(&self) -> String {
        quote_safely(&self.message)
    }
}

fn quotable(value: &str) -> bool {
    value.len() <= 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./*@:[]{}, ".contains(c))
        && super::secrets::sensitive_spans(value).is_empty()
        && super::secrets::find_secret(value, Some("value")).is_none()
        && !(value.len() >= 16 && super::secrets::shannon_entropy(value) > 3.5)
}

/// Replaces each quoted part of `message` (between backticks or double
/// quotes; apostrophes are prose) that is not [`quotable`] by a description.
fn quote_safely(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = rest[open..].chars().next().expect("found a quote");
        out.push_str(&rest[..open + 1]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            // An unclosed quote: the rest is a value too.
            if quotable(after) {
                out.push_str(after);
            } else {
                out.push_str(&format!("<{} characters>", after.chars().count()));
            }
            return out;
        };
        let value = &after[..close];
        if quotable(value) {
            out.push_str(value);
        } else {
            out.push_str(&format!("<a value of {} characters>", value.chars().count()));
        }
        out.push(quote);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.safe_message();
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, message),
            None => write!(f, "{}: {}", self.path.display(), message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Public env prefixes every bundler in the reference inlines into browser
/// code.
pub const DEFAULT_PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
];

/// How much text Nudge reads of one file. Larger files are generated
/// bundles or data, not code someone types; skipping them (with a note)
/// keeps a scan's time and memory bounded by the size of real sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    /// The longest line a file may have; longer ones mean generated code or
    /// inlined data.
    pub max_line_bytes: usize,
    /// Time for parsing and matching queries over one file, after which
    /// its analysis stops with what it has (and says so).
    pub max_millis_per_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1024 * 1024,
            max_line_bytes: 64 * 1024,
            max_millis_per_file: 2_000,
        }
    }
}

impl Limits {
    /// Why a file of this content is not analysed, if it is not: binary,
    /// too large, a huge line, or minified. Cheap: a size check, a scan of
    /// the first 8 KiB for NUL bytes and one pass over newlines.
    pub fn skip_reason(&self, name: &str, bytes: &[u8]) -> Option<String> {
        if bytes.len() as u64 > self.max_file_bytes {
            return Some(self.too_large());
        }
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return Some("looks like a binary file".to_string());
        }
        if name.contains(".min.") || looks_minified(bytes) {
            return Some("looks minified".to_string());
        }
        let longest = bytes.split(|b| *b == b'\n').map(<[u8]>::len).max().unwrap_or(0);
        if longest > self.max_line_bytes {
            return Some(format!(
                "has a line longer than {} KiB (limits.max_line_kib)",
                self.max_line_bytes / 1024
            ));
        }
        None
    }

    /// The note for a file over [`Limits::max_file_bytes`].
    pub fn too_large(&self) -> String {
        format!(
            "is larger than {} KiB (limits.max_file_kib)",
            self.max_file_bytes / 1024
        )
    }
}

/// Whether the start of a file has the long lines of minified output.
fn looks_minified(bytes: &[u8]) -> bool {
    const SAMPLE: usize = 64 * 1024;
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    if sample.len() < 4096 {
        return false;
    }
    let lines = sample.iter().filter(|b| **b == b'\n').count() + 1;
    sample.len() / lines > 400
}

/// Resolved configuration for the files under one directory.
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory the configuration applies to (where `.nudge.toml` is).
    pub root: PathBuf,
    rule_levels: BTreeMap<String, Level>,
    category_levels: BTreeMap<Category, Level>,
    excludes: GlobSet,
    context_overrides: Vec<(GlobSet, String, ContextKind)>,
    pub public_prefixes: Vec<String>,
    /// Schemas the API serves, when `.nudge.toml` says; otherwise the
    /// project decides (`supabase/config.toml`, or Supabase's default).
    pub exposed_schemas: Option<Vec<String>>,
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            root: PathBuf::new(),
            rule_levels: BTreeMap::new(),
            category_levels: BTreeMap::new(),
            excludes: GlobSet::empty(),
            context_overrides: Vec::new(),
            public_prefixes: DEFAULT_PUBLIC_PREFIXES.iter().map(|s| s.to_string()).collect(),
            exposed_schemas: None,
            limits: Limits::default(),
        }
    }
}

impl Config {
    /// Parses the text of a `.nudge.toml` found at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error = |line: Option<usize>, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(span.start));
            error(line, e.message().trim().replace('\n', " "))
        })?;
        // Keys of maps are validated here; serde cannot know the rule ids.
        let find_line = |needle: &str| text.find(needle).map(line_of);
        let mut category_levels = BTreeMap::new();
        for (name, level) in raw.categories {
            let category = name
                .parse::<Category>()
                .map_err(|message| error(find_line(&name), message))?;
            category_levels.insert(category, level);
        }
        let mut excludes = GlobSetBuilder::new();
        for pattern in &raw.paths.exclude {
            let glob = Glob::new(pattern).map_err(|e| error(find_line(pattern), format!("bad glob: {e}")))?;
            excludes.add(glob);
        }
        let excludes = excludes
            .build()
            .map_err(|e| error(None, format!("bad exclude globs: {e}")))?;
        let mut context_overrides = Vec::new();
        for (pattern, context) in raw.context {
            let kind = context
                .parse::<ContextKind>()
                .map_err(|message| error(find_line(&pattern), message))?;
            let glob = Glob::new(&pattern).map_err(|e| error(find_line(&pattern), format!("bad glob: {e}")))?;
            let set = GlobSetBuilder::new()
                .add(glob)
                .build()
                .map_err(|e| error(find_line(&pattern), format!("bad glob: {e}")))?;
            context_overrides.push((set, pattern, kind));
        }
        // The most specific (longest) pattern wins when several match.
        context_overrides.sort_by_key(|(_, pattern, _)| std::cmp::Reverse(pattern.len()));
        let mut config = Config {
            root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            rule_levels: raw.rules,
            category_levels,
            excludes,
            context_overrides,
            ..Config::default()
        };
        for prefix in raw.env.public_prefixes {
            if !config.public_prefixes.contains(&prefix) {
                config.public_prefixes.push(prefix);
            }
        }
        if let Some(schemas) = raw.sql.exposed_schemas {
            config.exposed_schemas = Some(schemas.into_iter().map(|s| s.to_ascii_lowercase()).collect());
        }
        let kib = |value: Option<u64>, key: &str| -> Result<Option<u64>, ConfigError> {
            match value {
                Some(0) => Err(error(find_line(key), format!("`{key}` must be at least 1"))),
                Some(v) => Ok(Some(v.saturating_mul(1024))),
                None => Ok(None),
            }
        };
        if let Some(bytes) = kib(raw.limits.max_file_kib, "max_file_kib")? {
            config.limits.max_file_bytes = bytes;
        }
        if let Some(bytes) = kib(raw.limits.max_line_kib, "max_line_kib")? {
            config.limits.max_line_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        }
        match raw.limits.max_ms_per_file {
            Some(0) => {
                return Err(error(
                    find_line("max_ms_per_file"),
                    "`max_ms_per_file` must be at least 1".into(),
                ));
            }
            Some(ms) => config.limits.max_millis_per_file = ms,
            None => {}
        }
        Ok(config)
    }

    /// Rule ids named in `[rules]`, to be checked against the loaded rules.
    pub fn configured_rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rule_levels.keys().map(String::as_str)
    }

    /// The effective level of a rule: its own override, then its category's,
    /// then the rule's default.
    pub fn level_for(&self, rule_id: &str, category: Category, default: Severity) -> Level {
        self.rule_levels
            .get(rule_id)
            .or_else(|| self.category_levels.get(&category))
            .copied()
            .unwrap_or(Level::On(default))
    }

    /// `rel_path` is relative to [`Config::root`].
    pub fn is_excluded(&self, rel_path: &Path) -> bool {
        self.excludes.is_match(rel_path)
    }

    /// A context forced by configuration for `rel_path`, with the pattern.
    pub fn context_override(&self, rel_path: &Path) -> Option<(ContextKind, &str)> {
        self.context_overrides
            .iter()
            .find(|(set, _, _)| set.is_match(rel_path))
            .map(|(_, pattern, kind)| (*kind, pattern.as_str()))
    }

    pub fn is_public_env_name(&self, name: &str) -> bool {
        self.strip_public_prefix(name).is_some()
    }

    /// The name without its public prefix (`NEXT_PUBLIC_OPENAI_KEY` →
    /// `OPENAI_KEY`), or `None` when it has none. The longest prefix wins
    /// (`NUXT_PUBLIC_` over `PUBLIC_`).
    pub fn strip_public_prefix<'a>(&self, name: &'a str) -> Option<&'a str> {
        self.public_prefixes
            .iter()
            .filter(|p| name.starts_with(p.as_str()) && name.len() > p.len())
            .max_by_key(|p| p.len())
            .map(|p| &name[p.len()..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_quote_a_secret() {
        let key = "sk_live_51NqL3kJd8sPq2Wm7Zx4Rt9Yv6Bn0Hc";
        for text in [
            format!("[rules]\n\"{key}\" = \"off\"\n"),
            format!("[rules]\n\"signup-call\" = \"{key}\"\n"),
            format!("[paths]\nexclude = \"{key}\"\n"),
            format!("oops = {key}\n"),
        ] {
            let shown = match Config::parse(Path::new(".nudge.toml"), &text) {
                Err(e) => e.to_string(),
                Ok(config) => config
                    .configured_rule_ids()
                    .map(|id| {
                        ConfigError {
                            path: ".nudge.toml".into(),
                            line: None,
                            message: format!("unknown rule `{id}`"),
                        }
                        .to_string()
                    })
                    .collect(),
            };
            assert!(!shown.is_empty() && !shown.contains("51NqL3k"), "{text} -> {shown}");
        }
        let plain = ConfigError {
            path: ".nudge.toml".into(),
            line: Some(2),
            message: "unknown rule `sigup-call`".into(),
        };
        assert_eq!(plain.to_string(), ".nudge.toml:2: unknown rule `sigup-call`");
    }

    #[test]
    fn full_config_parses() {
        let text = r#"
[rules]
"plan-check-in-client" = "off"
[categories]
"signup-flow" = "info"
[paths]
exclude = ["fixtures/**"]
[context]
"scripts/**" = "script"
[env]
public_prefixes = ["MY_PUBLIC_"]
[sql]
exposed_schemas = ["public", "api"]
[limits]
max_file_kib = 256
max_line_kib = 8
"#;
        let config = Config::parse(Path::new("/p/.nudge.toml"), text).unwrap();
        assert_eq!(
            config.level_for("plan-check-in-client", Category::ClientSideEntitlement, Severity::Info),
            Level::Off
        );
        assert_eq!(
            config.level_for("signup-form", Category::SignupFlow, Severity::Hint),
            Level::On(Severity::Info)
        );
        assert!(config.is_excluded(Path::new("fixtures/a.ts")));
        assert_eq!(
            config.context_override(Path::new("scripts/seed.ts")).unwrap().0,
            ContextKind::Script
        );
        assert!(config.is_public_env_name("MY_PUBLIC_KEY"));
        assert!(config.is_public_env_name("NEXT_PUBLIC_KEY"));
        assert_eq!(
            config.exposed_schemas.as_deref(),
            Some(&["public".to_string(), "api".to_string()][..])
        );
        assert_eq!(config.limits.max_file_bytes, 256 * 1024);
        assert_eq!(config.limits.max_line_bytes, 8 * 1024);
    }

    #[test]
    fn limits_skip_large_binary_minified_and_long_lined_files() {
        let limits = Limits {
            max_file_bytes: 10_000,
            max_line_bytes: 500,
            ..Limits::default()
        };
        let ordinary = "const a = 1;\n".repeat(500);
        assert_eq!(limits.skip_reason("a.ts", ordinary.as_bytes()), None);
        let large = "const a = 1;\n".repeat(1000);
        assert!(
            limits
                .skip_reason("a.ts", large.as_bytes())
                .unwrap()
                .contains("larger than")
        );
        assert!(limits.skip_reason("a.ts", b"abc\0def").unwrap().contains("binary"));
        assert!(limits.skip_reason("a.min.js", b"var a").unwrap().contains("minified"));
        let long_line = format!("const a = 1;\nconst s = '{}';\n", "x".repeat(600));
        assert!(
            limits
                .skip_reason("a.ts", long_line.as_bytes())
                .unwrap()
                .contains("longer than")
        );
        let err = Config::parse(Path::new(".nudge.toml"), "[limits]\nmax_file_kib = 0\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let err = Config::parse(Path::new(".nudge.toml"), "[rules]\n\n[pathz]\nexclude = []\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.to_string().starts_with(".nudge.toml:3: "), "{err}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn bad_level_names_the_line() {
        let err = Config::parse(Path::new(".nudge.toml"), "[rules]\n\"x\" = \"loud\"\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("loud"), "{err}");
    }

    #[test]
    fn unknown_category_is_an_error() {
        let err = Config::parse(Path::new(".nudge.toml"), "[categories]\n\"secrets\" = \"off\"\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
