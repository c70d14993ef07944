//! What a policy condition admits, read from its text: everyone (`true`),
//! every signed-in user, only visitors, the row's owner, or something the
//! model cannot judge (a helper function, a subquery), which counts as a
//! real restriction so that nudges stay quiet where they cannot be sure.

use std::sync::LazyLock;

use regex::Regex;

/// A policy condition, normalised (lower case, single spaces, outer
/// parentheses and casts removed) with what it is known to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub normalized: String,
    pub always_true: bool,
    pub always_false: bool,
    /// `auth.uid() is not null`, `auth.role() = 'authenticated'`: any
    /// signed-in user, and anyone can sign up.
    pub any_signed_in: bool,
    /// `auth.uid() is null`, `auth.role() = 'anon'`: every visitor.
    pub visitors_only: bool,
    /// Columns compared with the caller's id (`auth.uid() = user_id`).
    pub owner_columns: Vec<String>,
    /// Reads `user_metadata`, which users can edit themselves.
    pub trusts_user_metadata: bool,
    /// Calls a function or runs a subquery: a check the model does not read.
    pub opaque: bool,
}

static CASTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"::\s*(?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_ ]*?(?:\[\])?(?:\b|$)").expect("cast pattern")
});

static UID: &str = r"(?:\(\s*select\s+auth\.uid\(\)\s*(?:as\s+\w+\s*)?\)|\(\s*auth\.uid\(\)\s*\)|auth\.uid\(\))";

static OWNER_LEFT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"{UID}\s*=\s*(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)\b")).expect("owner pattern")
});

static OWNER_RIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^a-z0-9_.])(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)\s*=\s*{UID}"
    ))
    .expect("owner pattern")
});

static SIGNED_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:{UID}\s+is\s+not\s+null|auth\.role\(\)\s*=\s*'authenticated'|\(?\s*auth\.jwt\(\)\s*->>\s*'role'\s*\)?\s*=\s*'authenticated'|\(\s*select\s+auth\.role\(\)\s*\)\s*=\s*'authenticated'|current_user\s*=\s*'authenticated')$"
    ))
    .expect("signed-in pattern")
});

static VISITORS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:{UID}\s+is\s+null|auth\.role\(\)\s*=\s*'anon'|\(\s*select\s+auth\.role\(\)\s*\)\s*=\s*'anon')$"
    ))
    .expect("visitor pattern")
});

/// `a or b` at the top level (outside parentheses).
fn split_top(text: &str, word: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote = false;
    let mut start = 0;
    let bytes = text.as_bytes();
    let needle = format!(" {word} ");
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quote = !quote,
            b'(' if !quote => depth += 1,
            b')' if !quote => depth -= 1,
            _ if !quote && depth == 0 && bytes[i..].starts_with(needle.as_bytes()) => {
                parts.push(text[start..i].trim().to_string());
                i += needle.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(text[start..].trim().to_string());
    parts
}

/// Removes parentheses that wrap the whole text.
fn strip_outer(mut text: String) -> String {
    loop {
        let trimmed = text.trim();
        if !(trimmed.starts_with('(') && trimmed.ends_with(')')) {
            return trimmed.to_string();
        }
        let inner = &trimmed[1..trimmed.len() - 1];
        let mut depth = 0i32;
        let mut balanced = true;
        for c in inner.chars() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        balanced = false;
                        break;
                    }
                }
                _ => {}
            }
        }
        if !balanced || depth != 0 {
            return trimmed.to_string();
        }
        text = inner.to_string();
    }
}

/// Lower case (outside string literals), single spaces, no casts, no
/// outer parentheses, no `public.` qualifier on function calls.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote = false;
    let mut last_space = true;
    for c in text.chars() {
        if c == '\'' {
            quote = !quote;
        }
        if !quote && c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        last_space = false;
        out.push(if quote { c } else { c.to_ascii_lowercase() });
    }
    let without_casts = CASTS.replace_all(&out, "").to_string();
    let without_casts = without_casts.replace("( ", "(").replace(" )", ")");
    strip_outer(without_casts)
}

impl Condition {
    pub fn read(text: &str) -> Condition {
        let normalized = normalize(text);
        let alternatives = split_top(&normalized, "or");
        let is_true = |t: &str| {
            matches!(
                strip_outer(t.to_string()).as_str(),
                "true" | "1 = 1" | "1=1" | "'t'" | "true = true"
            )
        };
        let is_false = |t: &str| matches!(strip_outer(t.to_string()).as_str(), "false" | "1 = 0" | "1=0" | "'f'");
        let always_true = alternatives.iter().any(|a| is_true(a));
        let always_false = alternatives.iter().all(|a| is_false(a));
        let any_signed_in = alternatives.iter().any(|a| SIGNED_IN.is_match(&strip_outer(a.clone())));
        let visitors_only = alternatives.iter().any(|a| VISITORS.is_match(&strip_outer(a.clone())));
        let mut owner_columns: Vec<String> = Vec::new();
        for pattern in [&*OWNER_LEFT, &*OWNER_RIGHT] {
            for found in pattern.captures_iter(&normalized) {
                let column = found[1].to_string();
                if column != "uid" && column != "auth" && !owner_columns.contains(&column) {
                    owner_columns.push(column);
                }
            }
        }
        let without_auth = normalized
            .replace("auth.uid()", "")
            .replace("auth.role()", "")
            .replace("auth.jwt()", "")
            .replace("auth.email()", "");
        let opaque = without_auth.contains('(') && (without_auth.contains("select ") || has_call(&without_auth));
        Condition {
            // Metadata ANDed with an owner test only narrows the caller's own
            // rows; editing it grants nothing.
            trusts_user_metadata: alternatives
                .iter()
                .any(|a| a.contains("user_metadata") && !(OWNER_LEFT.is_match(a) || OWNER_RIGHT.is_match(a))),
            normalized,
            always_true,
            always_false,
            any_signed_in,
            visitors_only,
            owner_columns,
            opaque,
        }
    }

    /// Lets every caller it applies to through, whoever they are.
    pub fn admits_everyone(&self) -> bool {
        self.always_true || self.visitors_only
    }

    /// Identifiers the condition mentions (for "does the check pin this
    /// column?").
    /// Whether one `OR` alternative is nothing but an owner test
    /// (`auth.uid() = user_id`): a row passes on that alone, whatever the
    /// other alternatives (`or has_role(auth.uid(), 'admin')`) ask.
    pub fn owner_alone_passes(&self) -> bool {
        split_top(&self.normalized, "or").into_iter().any(|alternative| {
            let alternative = strip_outer(alternative);
            let rest = alternative.replace("auth.uid()", "");
            !rest.contains('(') && (OWNER_LEFT.is_match(&alternative) || OWNER_RIGHT.is_match(&alternative))
        })
    }

    pub fn mentions(&self, column: &str) -> bool {
        let bytes = self.normalized.as_bytes();
        let mut from = 0;
        while let Some(found) = self.normalized[from..].find(column) {
            let at = from + found;
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + column.len()).copied();
            let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !word(before) && !word(after) {
                return true;
            }
            from = at + column.len();
        }
        false
    }
}

/// A call of something other than the auth helpers: `name(`.
fn has_call(text: &str) -> bool {
    let bytes = text.as_bytes();
    (1..bytes.len()).any(|i| bytes[i] == b'(' && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_read_for_what_they_admit() {
        let c = Condition::read("(true)");
        assert!(c.always_true && c.admits_everyone());
        let c = Condition::read("( SELECT auth.uid() ) = user_id");
        assert_eq!(c.owner_columns, ["user_id"]);
        assert!(!c.admits_everyone());
        let c = Condition::read("auth.uid()::text = (storage.foldername(name))[1]");
        assert!(c.opaque);
        let c = Condition::read("profiles.id = auth.uid()");
        assert_eq!(c.owner_columns, ["id"]);
        assert!(Condition::read("auth.uid() IS NOT NULL").any_signed_in);
        assert!(Condition::read("auth.role() = 'authenticated'::text").any_signed_in);
        assert!(Condition::read("auth.uid() is null").visitors_only);
        assert!(Condition::read("(auth.jwt() -> 'user_metadata' ->> 'role') = 'admin'").trusts_user_metadata);
        assert!(Condition::read("public.is_admin(auth.uid())").opaque);
        assert!(Condition::read("false").always_false);
        let pinned =
            Condition::read("auth.uid() = id AND role = (SELECT p.role FROM profiles p WHERE p.id = auth.uid())");
        assert!(pinned.mentions("role") && !pinned.mentions("rol"));
        assert!(!Condition::read("is_published = true").admits_everyone());
    }
}
