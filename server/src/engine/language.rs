//! Which grammar reads which file, and how script blocks of component files
//! (`.svelte`, `.vue`, `.astro`, `.html`) are analysed in place.

use std::path::Path;

/// A language a rule can target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    JavaScript,
    TypeScript,
    Tsx,
    Sql,
    Env,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Sql,
        Language::Env,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Sql => "sql",
            Language::Env => "env",
        }
    }

    /// Names accepted in a rule's `languages` list; `js` is shorthand for the
    /// three JavaScript-family grammars.
    pub fn parse_list_entry(name: &str) -> Option<Vec<Language>> {
        match name {
            "js" => Some(vec![Language::JavaScript, Language::TypeScript, Language::Tsx]),
            "javascript" | "jsx" => Some(vec![Language::JavaScript]),
            "typescript" => Some(vec![Language::TypeScript]),
            "tsx" => Some(vec![Language::Tsx]),
            "sql" => Some(vec![Language::Sql]),
            "env" => Some(vec![Language::Env]),
            _ => None,
        }
    }

    /// A dense index, for per-language tables.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_js_family(self) -> bool {
        matches!(self, Language::JavaScript | Language::TypeScript | Language::Tsx)
    }

    /// The tree-sitter grammar, or `None` for languages read by hand (`.env`).
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        match self {
            Language::JavaScript => Some(tree_sitter_javascript::LANGUAGE.into()),
            Language::TypeScript => Some(tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
            Language::Tsx => Some(tree_sitter_typescript::LANGUAGE_TSX.into()),
            Language::Sql => Some(tree_sitter_postgres::LANGUAGE.into()),
            Language::Env => None,
        }
    }

    /// Comment openers recognised for suppression comments in this language.
    pub fn comment_markers(self) -> &'static [&'static str] {
        match self {
            Language::Sql => &["--", "/*"],
            Language::Env => &["#"],
            _ => &["//", "/*"],
        }
    }
}

/// How a file's text is turned into analysable source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The whole file is one language.
    Plain(Language),
    /// A component or page whose `<script>` blocks hold the code.
    Host(HostKind),
}

impl FileKind {
    /// The grammars a file of this kind may be parsed with.
    pub fn languages(self) -> &'static [Language] {
        match self {
            FileKind::Plain(Language::JavaScript) => &[Language::JavaScript],
            FileKind::Plain(Language::TypeScript) => &[Language::TypeScript],
            FileKind::Plain(Language::Tsx) => &[Language::Tsx],
            FileKind::Plain(Language::Sql) => &[Language::Sql],
            FileKind::Plain(Language::Env) => &[Language::Env],
            FileKind::Host(_) => &[Language::JavaScript, Language::TypeScript, Language::Tsx],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    Svelte,
    Vue,
    Astro,
    Html,
}

/// Decides the file kind from the file name alone.
pub fn file_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return Some(FileKind::Plain(Language::Env));
    }
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "js" | "mjs" | "cjs" | "jsx" => FileKind::Plain(Language::JavaScript),
        "ts" | "mts" | "cts" => {
            if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
                return None;
            }
            FileKind::Plain(Language::TypeScript)
        }
        "tsx" => FileKind::Plain(Language::Tsx),
        "sql" => FileKind::Plain(Language::Sql),
        "svelte" => FileKind::Host(HostKind::Svelte),
        "vue" => FileKind::Host(HostKind::Vue),
        "astro" => FileKind::Host(HostKind::Astro),
        "html" | "htm" => FileKind::Host(HostKind::Html),
        _ => return None,
    })
}

/// One language's view of a host file: the same length as the host text,
/// with everything outside that language's script blocks blanked to spaces
/// (newlines kept). Byte offsets therefore mean the same in both, so findings
/// need no position translation.
#[derive(Clone, Debug)]
pub struct ScriptView {
    pub language: Language,
    pub text: String,
}

/// Extracts the script blocks of a host file, grouped by language.
pub fn script_views(kind: HostKind, text: &str) -> Vec<ScriptView> {
    let mut blocks: Vec<(Language, usize, usize)> = Vec::new();
    if let Some((start, end)) = astro_frontmatter(text).filter(|_| kind == HostKind::Astro) {
        blocks.push((Language::TypeScript, start, end));
    }
    let lower = text.to_ascii_lowercase();
    let mut cursor = 0;
    while let Some(found) = lower[cursor..].find("<script") {
        let tag_start = cursor + found;
        let Some(tag_close) = lower[tag_start..].find('>') else {
            break;
        };
        let tag = &lower[tag_start..tag_start + tag_close];
        let body_start = tag_start + tag_close + 1;
        let Some(body_len) = lower[body_start..].find("</script") else {
            break;
        };
        let body_end = body_start + body_len;
        cursor = body_end;
        if tag.contains("type=\"application/json\"") || tag.contains("type=\"application/ld+json\"") {
            continue;
        }
        let language = if tag.contains("lang=\"ts\"")
            || tag.contains("lang='ts'")
            || tag.contains("lang=\"typescript\"")
            || kind == HostKind::Astro
        {
            Language::TypeScript
        } else if tag.contains("lang=\"tsx\"") {
            Language::Tsx
        } else {
            Language::JavaScript
        };
        blocks.push((language, body_start, body_end));
    }
    let mut views: Vec<ScriptView> = Vec::new();
    for (language, start, end) in blocks {
        let view = match views.iter_mut().find(|v| v.language == language) {
            Some(view) => view,
            None => {
                views.push(ScriptView {
                    language,
                    text: blank(text),
                });
                views.last_mut().expect("just pushed")
            }
        };
        // Both texts are valid UTF-8 and `start..end` lies on char
        // boundaries of the original, so copying the bytes keeps it valid.
        let mut bytes = std::mem::take(&mut view.text).into_bytes();
        bytes[start..end].copy_from_slice(&text.as_bytes()[start..end]);
        view.text = String::from_utf8(bytes).unwrap_or_default();
    }
    views
}

fn astro_frontmatter(text: &str) -> Option<(usize, usize)> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with("---") {
        return None;
    }
    let open = text.len() - trimmed.len();
    let body_start = open + 3;
    let close = text[body_start..].find("\n---")?;
    Some((body_start, body_start + close + 1))
}

fn blank(text: &str) -> String {
    text.bytes()
        .map(|b| if b == b'\n' || b == b'\r' { b as char } else { ' ' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svelte_script_keeps_host_offsets() {
        let text = "<h1>é</h1>\n<script lang=\"ts\">\nconst k = 1;\n</script>\n<p>{k}</p>";
        let views = script_views(HostKind::Svelte, text);
        assert_eq!(views.len(), 1);
        let view = &views[0];
        assert_eq!(view.language, Language::TypeScript);
        assert_eq!(view.text.len(), text.len());
        let at = text.find("const").unwrap();
        assert_eq!(&view.text[at..at + 5], "const");
        assert!(!view.text.contains("h1"));
    }

    #[test]
    fn astro_frontmatter_is_typescript() {
        let text = "---\nconst key = import.meta.env.SECRET;\n---\n<div/>";
        let views = script_views(HostKind::Astro, text);
        assert_eq!(views[0].language, Language::TypeScript);
        assert!(views[0].text.contains("import.meta.env.SECRET"));
        assert!(!views[0].text.contains("<div/>"));
    }

    #[test]
    fn kinds_by_name() {
        assert_eq!(
            file_kind(Path::new("a/.env.local")),
            Some(FileKind::Plain(Language::Env))
        );
        assert_eq!(
            file_kind(Path::new("x.mts")),
            Some(FileKind::Plain(Language::TypeScript))
        );
        assert_eq!(file_kind(Path::new("x.d.ts")), None);
        assert_eq!(file_kind(Path::new("x.vue")), Some(FileKind::Host(HostKind::Vue)));
        assert_eq!(file_kind(Path::new("x.png")), None);
    }
}
