//! Runs the flagged and clean examples of a rule file. `build.rs` generates
//! one test per built-in rule that calls [`assert_builtin_rule_examples`];
//! `nudge rules --verify` runs the same check on user rules.

use crate::engine::rules::{Example, Rule};
use crate::engine::{RuleSet, secrets};
use crate::project::{SourceFile, build_workspace};

/// Checks every example of `rule`; returns one line per failure.
pub fn verify_rule(rules: &RuleSet, rule: &Rule) -> Vec<String> {
    let mut failures = Vec::new();
    if rule.flagged.is_empty() {
        failures.push(format!("{}: needs at least one [[flagged]] example", rule.id));
    }
    if rule.clean.is_empty() {
        failures.push(format!("{}: needs at least one [[clean]] example", rule.id));
    }
    for (index, example) in rule.flagged.iter().enumerate() {
        if let Err(problem) = run_example(rules, rule, example, true) {
            failures.push(format!(
                "{}: flagged example {} ({}): {problem}",
                rule.id,
                index + 1,
                example.path
            ));
        }
    }
    for (index, example) in rule.clean.iter().enumerate() {
        if let Err(problem) = run_example(rules, rule, example, false) {
            failures.push(format!(
                "{}: clean example {} ({}): {problem}",
                rule.id,
                index + 1,
                example.path
            ));
        }
    }
    failures
}

fn run_example(rules: &RuleSet, rule: &Rule, example: &Example, expect_flagged: bool) -> Result<(), String> {
    let mut files = vec![SourceFile {
        path: example.path.clone(),
        text: example.code.clone(),
    }];
    files.extend(example.files.iter().map(|(path, text)| SourceFile {
        path: path.clone(),
        text: text.clone(),
    }));
    let loaded = build_workspace(files, rules.clone(), None).map_err(|e| format!("config error: {e}"))?;
    let findings = loaded.workspace.findings(&example.path, &loaded.rules);
    let own: Vec<_> = findings.iter().filter(|f| f.rule_id == rule.id).collect();
    if expect_flagged && own.is_empty() {
        let context = loaded
            .workspace
            .context_of(&example.path)
            .map(|c| format!("{} ({})", c.kind, c.reason));
        return Err(format!(
            "expected a finding, got none; context: {}",
            context.unwrap_or_default()
        ));
    }
    if !expect_flagged && !own.is_empty() {
        return Err(format!("expected no finding, got: {}", own[0].message));
    }
    // A quick fix must resolve what it is offered for.
    if let Some(fix) = own.iter().find_map(|f| f.fix.as_ref()) {
        let mut fixed = example.code.clone();
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for edit in edits {
            fixed.replace_range(edit.span.range(), &edit.new_text);
        }
        let mut files = vec![SourceFile {
            path: example.path.clone(),
            text: fixed.clone(),
        }];
        files.extend(example.files.iter().map(|(path, text)| SourceFile {
            path: path.clone(),
            text: text.clone(),
        }));
        let reloaded = build_workspace(files, rules.clone(), None).map_err(|e| format!("config error: {e}"))?;
        let after = reloaded.workspace.findings(&example.path, &reloaded.rules);
        let remaining = after.iter().filter(|f| f.rule_id == rule.id).count();
        if remaining >= own.len() {
            return Err(format!(
                "the fix `{}` did not resolve the finding; fixed code:\n{fixed}",
                fix.title
            ));
        }
        if let Some(analysis) = reloaded.workspace.analysis(&example.path)
            && analysis.has_syntax_errors
        {
            return Err(format!("the fix `{}` leaves a syntax error:\n{fixed}", fix.title));
        }
    }
    // Whatever was found, no message may carry a secret from the example.
    let mut offset = 0;
    while let Some(secret) = secrets::find_secret(&example.code[offset..], None) {
        let value = &example.code[offset + secret.start..offset + secret.end];
        if let Some(leak) = findings.iter().find(|f| f.message.contains(value)) {
            return Err(format!("message leaks a secret: {}", leak.message));
        }
        offset += secret.end;
    }
    Ok(())
}

/// Panics with every failing example of a built-in rule.
pub fn assert_builtin_rule_examples(id: &str) {
    let rules = RuleSet::builtin();
    assert!(
        rules.errors.is_empty(),
        "built-in rules must load: {:?}",
        rules.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
    );
    let rule = rules.get(id).unwrap_or_else(|| panic!("rule {id} is built in"));
    // Built-in queries compile lazily at run time; here they must compile
    // (for every language) and match their `where` captures.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../queries")
        .join(format!("{id}.toml"));
    let text = std::fs::read_to_string(&path).expect("rule file readable");
    if let Err(error) = crate::engine::Rule::parse(&path, &text) {
        panic!("{error}");
    }
    let failures = verify_rule(&rules, rule);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
