//! Where a file's code runs: the browser, a server, both, or nowhere that
//! ships (tests, config, scripts).
//!
//! The decision uses, in order: a configured override; test, config and
//! script conventions; directives (`"use client"`, `"use server"`,
//! `import "server-only"`); framework conventions from the nearest
//! `package.json`; and finally the import graph (see
//! [`super::workspace::Workspace`]), which turns a module with no decision of
//! its own into client code when browser code imports it.

use std::fmt;
use std::str::FromStr;

/// Where code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContextKind {
    Client,
    Server,
    /// Runs in both, or nothing decided it.
    Universal,
    Test,
    Config,
    Script,
}

impl ContextKind {
    pub const ALL: [ContextKind; 6] = [
        ContextKind::Client,
        ContextKind::Server,
        ContextKind::Universal,
        ContextKind::Test,
        ContextKind::Config,
        ContextKind::Script,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContextKind::Client => "client",
            ContextKind::Server => "server",
            ContextKind::Universal => "universal",
            ContextKind::Test => "test",
            ContextKind::Config => "config",
            ContextKind::Script => "script",
        }
    }
}

impl FromStr for ContextKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ContextKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!("unknown context `{s}` (expected client, server, universal, test, config or script)")
        })
    }
}

impl fmt::Display for ContextKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How firmly a context was decided; only a `Default` decision may be
/// changed by the import graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    Explicit,
    Default,
}

/// The decision for one file and the reason, in words a person can check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileContext {
    pub kind: ContextKind,
    pub reason: String,
    pub strength: Strength,
}

impl FileContext {
    fn explicit(kind: ContextKind, reason: impl Into<String>) -> Self {
        FileContext {
            kind,
            reason: reason.into(),
            strength: Strength::Explicit,
        }
    }
    fn default(kind: ContextKind, reason: impl Into<String>) -> Self {
        FileContext {
            kind,
            reason: reason.into(),
            strength: Strength::Default,
        }
    }
}

/// Frameworks recognised from `package.json` dependencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Framework {
    Next,
    Vite,
    CreateReactApp,
    SvelteKit,
    Nuxt,
    Remix,
    Expo,
    Express,
    Astro,
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Framework::Next => "Next.js",
            Framework::Vite => "Vite",
            Framework::CreateReactApp => "Create React App",
            Framework::SvelteKit => "SvelteKit",
            Framework::Nuxt => "Nuxt",
            Framework::Remix => "Remix",
            Framework::Expo => "Expo",
            Framework::Express => "Express",
            Framework::Astro => "Astro",
        }
    }

    /// The framework a dependency name implies, if any.
    pub fn from_dependency(dep: &str) -> Option<Framework> {
        Some(match dep {
            "next" => Framework::Next,
            "vite" => Framework::Vite,
            "react-scripts" => Framework::CreateReactApp,
            "@sveltejs/kit" => Framework::SvelteKit,
            "nuxt" => Framework::Nuxt,
            "@remix-run/react" | "@remix-run/node" | "@react-router/dev" => Framework::Remix,
            "expo" | "react-native" => Framework::Expo,
            "express" | "fastify" | "koa" | "hono" | "@nestjs/core" => Framework::Express,
            "astro" => Framework::Astro,
            _ => return None,
        })
    }
}

/// What the nearest `package.json` says about a project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectInfo {
    /// Directory of the `package.json`, relative to the workspace root with
    /// `/` separators (empty for the root itself).
    pub root: String,
    pub frameworks: Vec<Framework>,
    /// The package depends on a Supabase client (its database is then
    /// reached through Supabase's API).
    pub uses_supabase: bool,
}

impl ProjectInfo {
    pub fn has(&self, framework: Framework) -> bool {
        self.frameworks.contains(&framework)
    }
}

/// Directives at the top of a module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Directives {
    pub use_client: bool,
    pub use_server: bool,
}

/// Reads `"use client"` / `"use server"` from the module prologue, skipping
/// comments and blank lines.
pub fn directives(text: &str) -> Directives {
    let mut rest = text.trim_start_matches('\u{feff}');
    let mut found = Directives::default();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map(|(_, r)| r).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map(|(_, r)| r).unwrap_or("");
        } else if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let Some(end) = rest[1..].find(quote) else {
                break;
            };
            match &rest[1..1 + end] {
                "use client" => found.use_client = true,
                "use server" => found.use_server = true,
                _ => {}
            }
            rest = rest[end + 2..].trim_start_matches([';', ' ', '\t']);
        } else {
            break;
        }
    }
    found
}

/// Everything the per-file decision looks at.
pub struct ContextInput<'a> {
    /// Path relative to the workspace root, `/`-separated.
    pub path: &'a str,
    pub directives: Directives,
    /// Module specifiers this file imports.
    pub imports: &'a [String],
    pub project: &'a ProjectInfo,
}

/// Decides a file's context from everything but the import graph.
pub fn classify(input: &ContextInput<'_>) -> FileContext {
    let path = input.path;
    let in_project = path
        .strip_prefix(input.project.root.as_str())
        .map(|p| p.trim_start_matches('/'))
        .unwrap_or(path);
    let segments: Vec<&str> = in_project.split('/').collect();
    let file_name = segments.last().copied().unwrap_or("");
    let dirs = &segments[..segments.len().saturating_sub(1)];
    let has_dir = |name: &str| dirs.contains(&name);
    let stem = file_name.split('.').next().unwrap_or("");
    let suffixes: Vec<&str> = file_name.split('.').skip(1).collect();
    let has_suffix = |s: &str| suffixes.len() >= 2 && suffixes[..suffixes.len() - 1].contains(&s);

    if has_suffix("test")
        || has_suffix("spec")
        || has_dir("__tests__")
        || has_dir("__mocks__")
        || has_dir("e2e")
        || has_dir("cypress")
        || has_dir("fixtures")
        || has_dir("__fixtures__")
        || dirs.first().is_some_and(|d| *d == "test" || *d == "tests")
    {
        return FileContext::explicit(ContextKind::Test, "this is a test or fixture file");
    }
    if file_name == ".env" || file_name.starts_with(".env.") {
        return FileContext::explicit(ContextKind::Config, "this is an environment file");
    }
    if has_suffix("config") || file_name.starts_with('.') {
        return FileContext::explicit(
            ContextKind::Config,
            format!("`{file_name}` is a tool configuration file"),
        );
    }
    if file_name.ends_with(".sql") {
        if file_name == "seed.sql" {
            return FileContext::explicit(ContextKind::Script, "`seed.sql` seeds a development database");
        }
        return FileContext::explicit(ContextKind::Server, "SQL runs in the database");
    }
    if dirs
        .first()
        .is_some_and(|d| matches!(*d, "scripts" | "script" | "bin" | "tools"))
    {
        return FileContext::explicit(
            ContextKind::Script,
            format!("it lives under `{}/`, a scripts folder", dirs[0]),
        );
    }
    if input.directives.use_client {
        return FileContext::explicit(
            ContextKind::Client,
            "this file runs in the browser: it starts with \"use client\"",
        );
    }
    if input.directives.use_server {
        return FileContext::explicit(
            ContextKind::Server,
            "this file runs on the server: it starts with \"use server\" (anyone can still call its actions)",
        );
    }
    if input.imports.iter().any(|i| i == "server-only") {
        return FileContext::explicit(ContextKind::Server, "it imports \"server-only\"");
    }
    if input.imports.iter().any(|i| i == "client-only") {
        return FileContext::explicit(ContextKind::Client, "it imports \"client-only\"");
    }
    if dirs.windows(2).any(|w| w == ["supabase", "functions"]) {
        return FileContext::explicit(ContextKind::Server, "Supabase edge functions run on the server");
    }
    if has_suffix("server") || has_dir(".server") {
        return FileContext::explicit(
            ContextKind::Server,
            format!("`{file_name}` is a server module by its name"),
        );
    }
    if has_suffix("client") || has_dir(".client") {
        return FileContext::explicit(
            ContextKind::Client,
            format!("`{file_name}` is a browser module by its name"),
        );
    }
    let project = input.project;
    let under = |prefix: &[&str]| dirs.len() >= prefix.len() && dirs.iter().zip(prefix).all(|(a, b)| a == b);
    let after_src = if dirs.first() == Some(&"src") { &dirs[1..] } else { dirs };
    let app_dir = after_src.first() == Some(&"app");
    if project.has(Framework::Next) {
        let pages_dir = after_src.first() == Some(&"pages");
        if app_dir && matches!(stem, "route") {
            return FileContext::explicit(
                ContextKind::Server,
                "Next.js route handlers (`route.ts`) run on the server",
            );
        }
        if stem == "middleware" && after_src.is_empty() {
            return FileContext::explicit(ContextKind::Server, "Next.js middleware runs on the server");
        }
        if pages_dir && after_src.get(1) == Some(&"api") {
            return FileContext::explicit(
                ContextKind::Server,
                "Next.js API routes (`pages/api/**`) run on the server",
            );
        }
        if pages_dir {
            return FileContext::explicit(
                ContextKind::Client,
                "Next.js pages-router components render in the browser",
            );
        }
        if app_dir {
            return FileContext::default(
                ContextKind::Server,
                "Next.js app-router modules are server components unless marked \"use client\"",
            );
        }
    }
    if project.has(Framework::SvelteKit) {
        if under(&["src", "lib", "server"]) {
            return FileContext::explicit(ContextKind::Server, "SvelteKit server modules run on the server");
        }
        if file_name.starts_with("+server.") {
            return FileContext::explicit(ContextKind::Server, "SvelteKit `+server` endpoints run on the server");
        }
        if file_name.ends_with(".svelte") {
            return FileContext::explicit(ContextKind::Client, "Svelte components run in the browser");
        }
        if file_name.starts_with("+page.") || file_name.starts_with("+layout.") {
            return FileContext::explicit(
                ContextKind::Universal,
                "SvelteKit universal load files run on both sides",
            );
        }
    }
    if project.has(Framework::Nuxt) {
        if dirs.first() == Some(&"server") {
            return FileContext::explicit(ContextKind::Server, "Nuxt `server/` code runs on the server");
        }
        if file_name.ends_with(".vue")
            || matches!(
                dirs.first(),
                Some(&"components") | Some(&"pages") | Some(&"composables")
            )
        {
            return FileContext::explicit(ContextKind::Client, "Nuxt components and pages run in the browser");
        }
    }
    if project.has(Framework::Remix) && under(&["app", "routes"]) {
        return FileContext::explicit(
            ContextKind::Universal,
            "Remix route modules run on both sides (loaders on the server)",
        );
    }
    if project.has(Framework::Expo) {
        return FileContext::explicit(
            ContextKind::Client,
            "Expo and React Native apps run on the user's device",
        );
    }
    if project.has(Framework::Vite) || project.has(Framework::CreateReactApp) {
        let name = if project.has(Framework::Vite) {
            "Vite"
        } else {
            "Create React App"
        };
        if dirs.first() == Some(&"src") {
            return FileContext::explicit(
                ContextKind::Client,
                format!("everything under `src/` of a {name} app ships to the browser"),
            );
        }
        if matches!(dirs.first(), Some(&"server") | Some(&"api") | Some(&"backend")) {
            return FileContext::explicit(
                ContextKind::Server,
                format!("`{}/` is the backend of this {name} app", dirs[0]),
            );
        }
    }
    if project.has(Framework::Express) && project.frameworks.len() == 1 {
        return FileContext::explicit(ContextKind::Server, "this package is an Express-style server");
    }
    if matches!(dirs.first(), Some(&"server") | Some(&"api") | Some(&"backend")) {
        return FileContext::default(ContextKind::Server, format!("it lives under `{}/`", dirs[0]));
    }
    FileContext::default(
        ContextKind::Universal,
        "no directive or framework convention decided where it runs",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_after_comments() {
        let d = directives("// header\n/* more */\n'use client';\nimport x from 'y'");
        assert!(d.use_client && !d.use_server);
        assert!(!directives("import x from 'y';\n'use client'").use_client);
    }
}
