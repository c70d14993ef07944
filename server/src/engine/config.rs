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

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
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
    pub exposed_schemas: Vec<String>,
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
            exposed_schemas: vec!["public".to_string()],
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
            config.exposed_schemas = schemas.into_iter().map(|s| s.to_ascii_lowercase()).collect();
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
        assert_eq!(config.exposed_schemas, ["public", "api"]);
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
