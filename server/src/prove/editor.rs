//! What a proof changes in the editor: nudges about an object the attempt
//! got through say so ("Proven: a visitor with your public key read 2 of 2
//! rows of `invoices`"), and a read nudge about a table where every read
//! was refused is dropped. Kept per workspace folder until its SQL changes;
//! never computed on a keystroke, only when the user asks.

use std::collections::{BTreeMap, BTreeSet};

use super::Report;
use super::outcome::{Action, Verdict};
use crate::engine::Finding;

/// Static rules that claim someone can read rows: dropped when every read
/// of that object was tried and refused.
const READ_CLAIMS: &[&str] = &["select-everyone-on-user-rows", "policy-any-authenticated-user"];

/// Static rules whose claim a proof speaks to.
const PROVABLE: &[&str] = &[
    "table-without-rls",
    "sensitive-table-without-rls",
    "policy-without-rls",
    "policy-allows-everyone",
    "policy-anon-writes",
    "policy-any-authenticated-user",
    "select-everyone-on-user-rows",
    "grant-write-to-anon",
    "users-write-own-entitlement",
    "users-write-own-role",
    "definer-callable-by-anyone",
    "view-exposes-auth-users",
    "view-without-security-invoker",
    "storage-objects-open-policy",
    "public-bucket",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProvenObjects {
    /// Object (as nudges name it) → the first thing that got through.
    leaks: BTreeMap<String, String>,
    /// Objects every read of which was tried and refused, with nothing
    /// getting through at all.
    reads_held: BTreeSet<String>,
}

impl ProvenObjects {
    pub fn from_report(report: &Report) -> ProvenObjects {
        let mut proven = ProvenObjects::default();
        let mut got_through: BTreeSet<String> = BTreeSet::new();
        let mut reads_tried: BTreeSet<String> = BTreeSet::new();
        for result in report.databases.iter().flat_map(|d| &d.results) {
            let object = result.outcome.object.display();
            if matches!(result.outcome.action, Action::Read | Action::ReadOthersRow) {
                reads_tried.insert(object.clone());
            }
            match result.outcome.verdict {
                Verdict::Leak => {
                    got_through.insert(object.clone());
                    proven
                        .leaks
                        .entry(object)
                        .or_insert_with(|| result.outcome.sentence.clone());
                }
                Verdict::Allowed => {
                    got_through.insert(object);
                }
                Verdict::Held => {}
            }
        }
        proven.reads_held = reads_tried.difference(&got_through).cloned().collect();
        proven
    }

    pub fn is_empty(&self) -> bool {
        self.leaks.is_empty() && self.reads_held.is_empty()
    }

    /// The finding as the proof tells it: upgraded, unchanged or gone.
    pub fn adjust(&self, mut finding: Finding) -> Option<Finding> {
        if !PROVABLE.contains(&finding.rule_id.as_str()) {
            return Some(finding);
        }
        let var = |key: &str| finding.vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let Some(object) = var("table")
            .or_else(|| var("view"))
            .or_else(|| var("function"))
            .or_else(|| var("bucket"))
        else {
            return Some(finding);
        };
        if let Some(sentence) = self.leaks.get(&object) {
            finding.message = format!("{} Proven: {}.", finding.message.trim_end(), lowercase_first(sentence));
            return Some(finding);
        }
        let read_claim = READ_CLAIMS.contains(&finding.rule_id.as_str())
            && var("command").is_none_or(|c| c.eq_ignore_ascii_case("select"));
        if read_claim && self.reads_held.contains(&object) {
            return None;
        }
        Some(finding)
    }
}

fn lowercase_first(sentence: &str) -> String {
    // "A visitor…" reads on after a colon as "a visitor…"; names stay.
    let mut chars = sentence.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_ascii_uppercase() && !second.is_ascii_uppercase() => {
            first.to_ascii_lowercase().to_string() + &sentence[first.len_utf8()..]
        }
        _ => sentence.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Category, Severity, Span};
    use crate::prove::outcome::{Object, Outcome};
    use crate::prove::script::Actor;
    use crate::prove::{DatabaseReport, Proven};

    fn outcome(object: &str, action: Action, verdict: Verdict, sentence: &str) -> Proven {
        Proven {
            outcome: Outcome {
                verdict,
                actor: Actor::Visitor,
                action,
                object: Object::Table {
                    schema: "public".to_string(),
                    name: object.to_string(),
                },
                column: None,
                rows: 2,
                total: Some(2),
                writes: 0,
                sentence: sentence.to_string(),
                error: None,
                owned_rows: true,
            },
            evidence: None,
        }
    }

    fn finding(rule: &str, table: &str) -> Finding {
        Finding {
            rule_id: rule.to_string(),
            category: Category::RlsPermissive,
            severity: Severity::Info,
            message: "Looks permissive.".to_string(),
            span: Span::new(0, 1),
            reason: None,
            fix: None,
            related: Vec::new(),
            vars: vec![("table".to_string(), table.to_string())],
        }
    }

    #[test]
    fn proven_leaks_upgrade_the_message_and_refused_reads_drop_the_read_nudge() {
        let report = Report {
            postgres: String::new(),
            elapsed: std::time::Duration::ZERO,
            databases: vec![DatabaseReport {
                root: String::new(),
                migrations: 1,
                skipped: Vec::new(),
                notes: Vec::new(),
                results: vec![
                    outcome(
                        "invoices",
                        Action::Read,
                        Verdict::Leak,
                        "A visitor with your public key read 2 of 2 rows of `invoices`",
                    ),
                    outcome("notes", Action::Read, Verdict::Held, "Visitors could not read `notes`"),
                    outcome(
                        "notes",
                        Action::ReadOthersRow,
                        Verdict::Held,
                        "Other signed-in users could not read user A's row in `notes`",
                    ),
                ],
            }],
        };
        let proven = ProvenObjects::from_report(&report);
        let upgraded = proven.adjust(finding("table-without-rls", "invoices")).unwrap();
        assert_eq!(
            upgraded.message,
            "Looks permissive. Proven: a visitor with your public key read 2 of 2 rows of `invoices`."
        );
        assert!(
            proven
                .adjust(finding("select-everyone-on-user-rows", "notes"))
                .is_none()
        );
        // A write claim is not what the reads showed; other rules are untouched.
        assert!(proven.adjust(finding("policy-allows-everyone", "notes")).is_some());
        assert_eq!(
            proven
                .adjust(finding("supabase-service-key-in-client", "notes"))
                .unwrap()
                .message,
            "Looks permissive."
        );
        // Nothing proven about a table: unchanged.
        assert_eq!(
            proven.adjust(finding("table-without-rls", "orders")).unwrap().message,
            "Looks permissive."
        );
    }
}
