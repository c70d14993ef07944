//! Fixture workspaces under `tests/fixtures/*/`, annotated inline.
//!
//! Under a flagged line, a comment in the file's own syntax marks the span
//! with carets and names the rule:
//!
//! ```text
//! const stripe = new Stripe("sk_live_...");
//! //                         ^^^^^^^^^^^^^ hardcoded-secret-in-client
//! ```
//!
//! The carets give the start column and length (in characters) on the line
//! above. Where carets cannot reach (a span at column 1 under a `#`), write
//! `nudge-expect: <rule-id>` to check only the line. Every finding must be
//! annotated and every annotation found: clean lines stay clean.

use std::collections::BTreeSet;
use std::path::Path;

use nudge::cli::human_position;
use nudge::project::load_dir;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    path: String,
    line: usize,
    /// `(column, length)` when carets gave them.
    columns: Option<(usize, usize)>,
    rule: String,
}

const MARKERS: &[&str] = &["{/*", "//", "--", "#", "<!--", "/*"];

fn parse_annotation(line: &str) -> Option<(Option<(usize, usize)>, String)> {
    let trimmed = line.trim_start();
    let marker = MARKERS.iter().find(|m| trimmed.starts_with(**m))?;
    let rest = trimmed[marker.len()..].trim_start();
    let rest = rest
        .trim_end()
        .trim_end_matches("*/}")
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim_end();
    if let Some(rule) = rest.strip_prefix("nudge-expect:") {
        return Some((None, rule.trim().to_string()));
    }
    if !rest.starts_with('^') {
        return None;
    }
    let carets = rest.chars().take_while(|c| *c == '^').count();
    let rule = rest[carets..].trim();
    if rule.is_empty()
        || !rule
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return None;
    }
    let column = line.chars().position(|c| c == '^').expect("has a caret") + 1;
    Some((Some((column, carets)), rule.to_string()))
}

fn expectations(root: &Path, rel: &str) -> Vec<Expectation> {
    let text = std::fs::read_to_string(root.join(rel)).unwrap_or_default();
    let mut out = Vec::new();
    let mut target_line = 0;
    for (index, line) in text.lines().enumerate() {
        match parse_annotation(line) {
            Some((columns, rule)) => out.push(Expectation {
                path: rel.to_string(),
                line: target_line,
                columns,
                rule,
            }),
            None => target_line = index + 1,
        }
    }
    out
}

/// Annotated and found expectations of one fixture.
fn compare(name: &str) -> (BTreeSet<Expectation>, BTreeSet<Expectation>, nudge::engine::RuleSet) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    let loaded = load_dir(&root).unwrap_or_else(|e| panic!("fixture {name} loads: {e}"));
    assert!(loaded.rules.errors.is_empty(), "{:?}", loaded.rules.errors);
    let mut expected: BTreeSet<Expectation> = BTreeSet::new();
    let mut actual: BTreeSet<Expectation> = BTreeSet::new();
    let mut line_only: BTreeSet<(String, usize, String)> = BTreeSet::new();
    for path in loaded.workspace.paths() {
        for e in expectations(&root, path) {
            if e.columns.is_none() {
                line_only.insert((e.path.clone(), e.line, e.rule.clone()));
            }
            expected.insert(e);
        }
        let analysis = loaded.workspace.analysis(path).unwrap();
        for finding in loaded.workspace.findings(path, &loaded.rules) {
            let (line, column) = human_position(&analysis.text, &analysis.line_index, finding.span.start);
            let (end_line, end_column) = human_position(&analysis.text, &analysis.line_index, finding.span.end);
            let length = if end_line == line {
                end_column - column
            } else {
                let (start, end) = analysis.line_index.line_span(&analysis.text, line - 1);
                analysis.text[start..end].chars().count() + 1 - column
            };
            let columns = if line_only.contains(&(path.to_string(), line, finding.rule_id.clone())) {
                None
            } else {
                Some((column, length))
            };
            actual.insert(Expectation {
                path: path.to_string(),
                line,
                columns,
                rule: finding.rule_id,
            });
        }
    }
    (expected, actual, loaded.rules)
}

fn check_fixture(name: &str) {
    let (expected, actual, _) = compare(name);
    let missing: Vec<_> = expected.difference(&actual).collect();
    let unexpected: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "fixture {name}\n  annotated but not found: {missing:#?}\n  found but not annotated: {unexpected:#?}"
    );
    assert!(!expected.is_empty(), "fixture {name} has annotations");
}

#[test]
fn next_supabase_fixture() {
    check_fixture("next-supabase");
}

#[test]
fn sveltekit_fixture() {
    check_fixture("sveltekit");
}

#[test]
fn vite_spa_fixture() {
    check_fixture("vite-spa");
}

#[test]
fn express_api_fixture() {
    check_fixture("express-api");
}

#[test]
fn supabase_backend_fixture() {
    check_fixture("supabase-backend");
}

#[test]
fn expo_app_fixture() {
    check_fixture("expo-app");
}

#[test]
fn pages_router_fixture() {
    check_fixture("pages-router");
}

#[test]
fn careful_app_fixture() {
    check_fixture("careful-app");
}

const FIXTURES: &[&str] = &[
    "next-supabase",
    "pages-router",
    "sveltekit",
    "vite-spa",
    "express-api",
    "supabase-backend",
    "expo-app",
    "careful-app",
];

/// Awareness categories: allowed in the careful app.
const AWARENESS: &[&str] = &["signup-flow", "user-data", "other"];

/// The bar: every category detected at least this well over the corpus, and
/// no more false positives than this share of findings.
const MIN_RECALL: f64 = 0.9;
const MAX_FALSE_POSITIVE_SHARE: f64 = 0.05;

#[test]
fn corpus_recall_and_false_positives_per_category() {
    use std::collections::BTreeMap;
    let mut per_category: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut careful_vulnerabilities = Vec::new();
    for name in FIXTURES {
        let (expected, actual, rules) = compare(name);
        let category = |rule: &str| {
            rules
                .get(rule)
                .map(|r| r.category.as_str().to_string())
                .unwrap_or_default()
        };
        for e in &expected {
            let entry = per_category.entry(category(&e.rule)).or_default();
            if actual.contains(e) { entry.0 += 1 } else { entry.1 += 1 }
        }
        for a in actual.difference(&expected) {
            per_category.entry(category(&a.rule)).or_default().2 += 1;
        }
        if *name == "careful-app" {
            careful_vulnerabilities.extend(
                actual
                    .iter()
                    .filter(|a| !AWARENESS.contains(&category(&a.rule).as_str()))
                    .cloned(),
            );
        }
    }
    eprintln!(
        "{:<26} {:>5} {:>7} {:>4} {:>7}",
        "category", "found", "missed", "fp", "recall"
    );
    let (mut total_found, mut total_fp) = (0, 0);
    let mut failures = Vec::new();
    for (category, (found, missed, fp)) in &per_category {
        let recall = *found as f64 / (*found + *missed).max(1) as f64;
        eprintln!("{category:<26} {found:>5} {missed:>7} {fp:>4} {:>6.0}%", recall * 100.0);
        total_found += found;
        total_fp += fp;
        if recall < MIN_RECALL {
            failures.push(format!("{category}: recall {:.0}%", recall * 100.0));
        }
    }
    let fp_share = total_fp as f64 / (total_found + total_fp).max(1) as f64;
    eprintln!(
        "total: {total_found} found, {total_fp} false positives ({:.1}%)",
        fp_share * 100.0
    );
    let every_category: Vec<&str> = nudge::engine::Category::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| *c != "other" && !per_category.contains_key(*c))
        .collect();
    assert!(
        every_category.is_empty(),
        "categories without a fixture case: {every_category:?}"
    );
    assert!(failures.is_empty(), "below the recall bar: {failures:?}");
    assert!(
        fp_share <= MAX_FALSE_POSITIVE_SHARE,
        "false positives: {:.1}%",
        fp_share * 100.0
    );
    assert!(
        careful_vulnerabilities.is_empty(),
        "the careful app must be quiet: {careful_vulnerabilities:#?}"
    );
}

#[test]
fn the_prefilter_changes_no_finding() {
    let mut compared = 0;
    for name in FIXTURES.iter().chain(&["../demo-app"]) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(name);
        let with = nudge::project::load_dir_with(&root, true).unwrap();
        let without = nudge::project::load_dir_with(&root, false).unwrap();
        let paths: Vec<&str> = with.workspace.paths().collect();
        assert_eq!(paths, without.workspace.paths().collect::<Vec<_>>());
        for path in paths {
            let a = with.workspace.findings(path, &with.rules);
            let b = without.workspace.findings(path, &without.rules);
            assert_eq!(a, b, "{name}/{path}");
            compared += a.len();
        }
    }
    assert!(compared > 60, "findings compared: {compared}");
}

/// Rules run through one grouped query or through their own: the choice is
/// a cost trade-off (see `RuleSet::grouped_when_worth_it`) and must never
/// change a finding.
#[test]
fn grouped_and_separate_queries_find_the_same() {
    use nudge::engine::RuleSet;
    use nudge::engine::rules::Grouping;
    let mut compared = 0;
    for name in FIXTURES.iter().chain(&["../demo-app"]) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(name);
        let files = nudge::project::read_tree(&root).files;
        let load = |grouping| {
            let rules = RuleSet::builtin().without_prefilter().with_grouping(grouping);
            nudge::project::build_workspace(files.clone(), rules, None).unwrap()
        };
        let (grouped, separate) = (load(Grouping::Always), load(Grouping::Never));
        for path in grouped.workspace.paths() {
            let a = grouped.workspace.findings(path, &grouped.rules);
            let b = separate.workspace.findings(path, &separate.rules);
            assert_eq!(a, b, "{name}/{path}");
            compared += a.len();
        }
    }
    assert!(compared > 60, "findings compared: {compared}");
}

#[test]
fn annotation_parser_reads_carets_and_line_only_forms() {
    assert_eq!(
        parse_annotation("//   ^^^ some-rule"),
        Some((Some((6, 3)), "some-rule".to_string()))
    );
    assert_eq!(
        parse_annotation("  {/* ^^ r */}"),
        Some((Some((7, 2)), "r".to_string()))
    );
    assert_eq!(
        parse_annotation("# nudge-expect: env-rule"),
        Some((None, "env-rule".to_string()))
    );
    assert_eq!(parse_annotation("// an ordinary comment"), None);
    assert_eq!(parse_annotation("const a = 1; // ^^ x"), None);
}
