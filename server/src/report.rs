//! The quick security check: a short markdown report of what Nudge found,
//! grouped by flow, each with the unhappy paths worth trying by hand.

use std::collections::BTreeMap;

use crate::engine::{Category, Finding, RuleSet, Workspace};

/// A finding with where it is, for the report.
pub struct Located<'a> {
    pub path: &'a str,
    /// 1-based line.
    pub line: usize,
    pub finding: Finding,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Flow {
    Signup,
    Payments,
    Data,
    Keys,
    Other,
}

impl Flow {
    fn of(category: Category) -> Flow {
        use Category::*;
        match category {
            SignupFlow | ClientSideAuth | JwtMisuse | InsecureCookie | OpenRedirect => Flow::Signup,
            ClientSideEntitlement | WebhookUnverified | UnauthenticatedCost => Flow::Payments,
            RlsMissing | RlsPermissive | RlsNoPolicy | PublicBucket | SecurityDefiner | Idor | SqlInjection
            | UserData => Flow::Data,
            SecretInClient | SecretHardcoded | LogSensitive => Flow::Keys,
            _ => Flow::Other,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Flow::Signup => "Sign-up and login",
            Flow::Payments => "Payments, plans and paid APIs",
            Flow::Data => "Data access",
            Flow::Keys => "Keys and secrets",
            Flow::Other => "Everything else",
        }
    }

    fn checklist(self) -> &'static [&'static str] {
        match self {
            Flow::Signup => &[
                "Sign up twice with the same e-mail, and with an e-mail you do not own: is confirmation required?",
                "Try 20 wrong passwords in a row: does anything slow you down?",
                "Ask for a password reset for an unknown e-mail: is the answer the same as for a known one?",
                "Open an admin or settings page while logged out, and as a fresh account.",
            ],
            Flow::Payments => &[
                "As a free user, call the paid feature's request directly (copy it from the network tab): does the server refuse?",
                "Change `plan`, `credits` or `isPremium` in local storage or devtools: does anything unlock?",
                "Call each route that spends money (LLM, SMS, e-mail) while logged out, and many times in a row.",
                "Send a fake webhook event with no signature: is it rejected?",
            ],
            Flow::Data => &[
                "Sign in as user A and request user B's record by id (change the id in the URL or request).",
                "With only the public anon key, `select *` from each table through the REST API.",
                "Try to update or delete a row you do not own.",
                "List a storage bucket's files without signing in.",
            ],
            Flow::Keys => &[
                "Search the built JavaScript (`.next/static`, `dist/`) for key prefixes like `sk_`, `sk-` and `eyJ`.",
                "Rotate any key that has been in browser code or in git history.",
                "Check that `.env*` files are in `.gitignore`.",
            ],
            Flow::Other => &["Read each nudge below and decide whether it applies."],
        }
    }
}

/// Builds the report. `file_count` is how many files were looked at.
pub fn security_check(findings: &[Located<'_>], file_count: usize) -> String {
    let mut by_flow: BTreeMap<Flow, Vec<&Located<'_>>> = BTreeMap::new();
    for located in findings {
        by_flow
            .entry(Flow::of(located.finding.category))
            .or_default()
            .push(located);
    }
    let mut out = String::from("# Quick security check\n\n");
    if findings.is_empty() {
        out.push_str(&format!(
            "Nudge looked at {file_count} files and found nothing that needs a second look. \
             The unhappy paths below are still worth a minute before launch.\n\n"
        ));
        for flow in [Flow::Signup, Flow::Payments, Flow::Data, Flow::Keys] {
            push_checklist(&mut out, flow);
        }
        return out;
    }
    out.push_str(&format!(
        "Nudge looked at {file_count} files. Nothing here is blocked; these are the places that usually need a \
         bit more care before real users arrive, with a few things to try by hand.\n\n"
    ));
    for (flow, items) in &by_flow {
        out.push_str(&format!("## {}\n\n", flow.title()));
        for item in items {
            out.push_str(&format!(
                "- `{}:{}`: {} _({})_\n",
                item.path, item.line, item.finding.message, item.finding.rule_id
            ));
        }
        out.push('\n');
        push_checklist(&mut out, *flow);
    }
    out
}

fn push_checklist(out: &mut String, flow: Flow) {
    out.push_str(&format!("**Try by hand ({}):**\n\n", flow.title().to_lowercase()));
    for step in flow.checklist() {
        out.push_str(&format!("- [ ] {step}\n"));
    }
    out.push('\n');
}

/// The report for a whole workspace.
pub fn workspace_security_check(workspace: &Workspace, rules: &RuleSet) -> String {
    let mut owned: Vec<(String, usize, Finding)> = Vec::new();
    let mut count = 0;
    for path in workspace.paths() {
        count += 1;
        let Some(analysis) = workspace.analysis(path) else {
            continue;
        };
        for finding in workspace.findings(path, rules) {
            if finding.category == Category::Other {
                continue;
            }
            let line = analysis.line_index.line_of(finding.span.start) + 1;
            owned.push((path.to_string(), line, finding));
        }
    }
    let located: Vec<Located<'_>> = owned
        .iter()
        .map(|(p, l, f)| Located {
            path: p,
            line: *l,
            finding: f.clone(),
        })
        .collect();
    security_check(&located, count)
}
