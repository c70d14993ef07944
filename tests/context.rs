//! Where code runs, per framework: each case builds a small workspace in
//! memory and checks the decided context and that the reason names why.

use nudge::engine::{ContextKind, RuleSet};
use nudge::project::{SourceFile, build_workspace};

fn contexts(files: &[(&str, &str)]) -> impl Fn(&str) -> (ContextKind, String) {
    let sources = files
        .iter()
        .map(|(p, t)| SourceFile {
            path: p.to_string(),
            text: t.to_string(),
        })
        .collect();
    let loaded = build_workspace(sources, RuleSet::empty(), None).expect("workspace loads");
    move |path: &str| {
        let ctx = loaded
            .workspace
            .context_of(path)
            .unwrap_or_else(|| panic!("{path} analysed"));
        (ctx.kind, ctx.reason.clone())
    }
}

fn expect(check: &dyn Fn(&str) -> (ContextKind, String), path: &str, kind: ContextKind, reason_part: &str) {
    let (got, reason) = check(path);
    assert_eq!(got, kind, "{path}: {reason}");
    assert!(
        reason.contains(reason_part),
        "{path}: reason `{reason}` should mention `{reason_part}`"
    );
}

const NEXT: &str = r#"{"dependencies":{"next":"15.0.0","react":"19.0.0"}}"#;

#[test]
fn next_app_router() {
    let ctx = contexts(&[
        ("package.json", NEXT),
        (
            "app/page.tsx",
            "import { Button } from '@/components/Button';\nexport default function P() { return <Button/>; }",
        ),
        ("app/api/users/route.ts", "export async function GET() {}"),
        (
            "app/settings/actions.ts",
            "'use server';\nexport async function save() {}",
        ),
        (
            "app/settings/Form.tsx",
            "\"use client\";\nimport { format } from '../../lib/format';\nimport Fancy from '@/components/Fancy';",
        ),
        (
            "lib/format.ts",
            "import { helper } from './helper';\nexport const format = (x) => x;",
        ),
        ("lib/helper.ts", "export const helper = 1;"),
        ("lib/server-thing.ts", "import 'server-only';\nexport const x = 1;"),
        ("components/Fancy.tsx", "export default function Fancy() {}"),
        ("components/Button.tsx", "export function Button() {}"),
        ("middleware.ts", "export function middleware() {}"),
    ]);
    expect(&ctx, "app/page.tsx", ContextKind::Server, "server components");
    expect(&ctx, "app/api/users/route.ts", ContextKind::Server, "route handlers");
    expect(&ctx, "app/settings/actions.ts", ContextKind::Server, "\"use server\"");
    expect(&ctx, "app/settings/Form.tsx", ContextKind::Client, "\"use client\"");
    expect(
        &ctx,
        "lib/format.ts",
        ContextKind::Client,
        "imported by `app/settings/Form.tsx`",
    );
    expect(
        &ctx,
        "lib/helper.ts",
        ContextKind::Client,
        "imported by `lib/format.ts`",
    );
    expect(&ctx, "components/Fancy.tsx", ContextKind::Client, "imported by");
    expect(&ctx, "components/Button.tsx", ContextKind::Universal, "no directive");
    expect(&ctx, "lib/server-thing.ts", ContextKind::Server, "server-only");
    expect(&ctx, "middleware.ts", ContextKind::Server, "middleware");
}

#[test]
fn next_pages_router() {
    let ctx = contexts(&[
        ("package.json", NEXT),
        ("pages/index.tsx", "export default function Home() {}"),
        ("pages/api/hello.ts", "export default function handler(req, res) {}"),
        (
            "src/pages/api/nested/x.ts",
            "export default function handler(req, res) {}",
        ),
    ]);
    expect(&ctx, "pages/index.tsx", ContextKind::Client, "pages-router");
    expect(&ctx, "pages/api/hello.ts", ContextKind::Server, "pages/api");
    expect(&ctx, "src/pages/api/nested/x.ts", ContextKind::Server, "pages/api");
}

#[test]
fn sveltekit() {
    let ctx = contexts(&[
        (
            "package.json",
            r#"{"devDependencies":{"@sveltejs/kit":"2.0.0","vite":"5.0.0"}}"#,
        ),
        ("src/routes/+page.svelte", "<script>let x = 1;</script>"),
        ("src/routes/+page.server.ts", "export const load = () => {};"),
        ("src/routes/+page.ts", "export const load = () => {};"),
        ("src/routes/api/+server.ts", "export const GET = () => {};"),
        ("src/hooks.server.ts", "export const handle = () => {};"),
        ("src/lib/server/db.ts", "export const db = 1;"),
    ]);
    expect(
        &ctx,
        "src/routes/+page.svelte",
        ContextKind::Client,
        "Svelte components",
    );
    expect(&ctx, "src/routes/+page.server.ts", ContextKind::Server, "server module");
    expect(&ctx, "src/routes/+page.ts", ContextKind::Universal, "both sides");
    expect(&ctx, "src/routes/api/+server.ts", ContextKind::Server, "+server");
    expect(&ctx, "src/hooks.server.ts", ContextKind::Server, "server module");
    expect(&ctx, "src/lib/server/db.ts", ContextKind::Server, "SvelteKit server");
}

#[test]
fn vite_spa_and_cra_and_expo() {
    let vite = contexts(&[
        (
            "package.json",
            r#"{"devDependencies":{"vite":"5.0.0"},"dependencies":{"react":"18.0.0"}}"#,
        ),
        ("src/App.tsx", "export default function App() {}"),
        ("server/index.ts", "app.listen(3000)"),
        ("vite.config.ts", "export default {}"),
    ]);
    expect(&vite, "src/App.tsx", ContextKind::Client, "Vite");
    expect(&vite, "server/index.ts", ContextKind::Server, "backend");
    expect(&vite, "vite.config.ts", ContextKind::Config, "configuration");
    let cra = contexts(&[
        ("package.json", r#"{"dependencies":{"react-scripts":"5.0.0"}}"#),
        ("src/index.js", "x"),
    ]);
    expect(&cra, "src/index.js", ContextKind::Client, "Create React App");
    let expo = contexts(&[
        ("package.json", r#"{"dependencies":{"expo":"51.0.0"}}"#),
        ("app/index.tsx", "x"),
    ]);
    expect(&expo, "app/index.tsx", ContextKind::Client, "Expo");
}

#[test]
fn remix_nuxt_express_and_supabase_functions() {
    let remix = contexts(&[
        ("package.json", r#"{"dependencies":{"@remix-run/react":"2.0.0"}}"#),
        ("app/routes/_index.tsx", "export const loader = () => {};"),
        ("app/utils/db.server.ts", "export const db = 1;"),
        ("app/utils/analytics.client.ts", "export const a = 1;"),
    ]);
    expect(&remix, "app/routes/_index.tsx", ContextKind::Universal, "Remix");
    expect(&remix, "app/utils/db.server.ts", ContextKind::Server, "server module");
    expect(
        &remix,
        "app/utils/analytics.client.ts",
        ContextKind::Client,
        "browser module",
    );
    let nuxt = contexts(&[
        ("package.json", r#"{"dependencies":{"nuxt":"3.0.0"}}"#),
        ("server/api/hello.ts", "export default defineEventHandler(() => 1)"),
        (
            "components/Hello.vue",
            "<script setup lang=\"ts\">const a = 1;</script>",
        ),
    ]);
    expect(&nuxt, "server/api/hello.ts", ContextKind::Server, "Nuxt");
    expect(&nuxt, "components/Hello.vue", ContextKind::Client, "Nuxt");
    let express = contexts(&[
        ("package.json", r#"{"dependencies":{"express":"4.0.0"}}"#),
        ("src/app.js", "x"),
    ]);
    expect(&express, "src/app.js", ContextKind::Server, "Express");
    let supa = contexts(&[("supabase/functions/chat/index.ts", "Deno.serve(() => {})")]);
    expect(
        &supa,
        "supabase/functions/chat/index.ts",
        ContextKind::Server,
        "edge functions",
    );
}

#[test]
fn tests_scripts_config_sql_and_env() {
    let ctx = contexts(&[
        ("package.json", NEXT),
        ("app/page.test.tsx", "\"use client\";"),
        ("__tests__/x.ts", "x"),
        ("scripts/seed.ts", "x"),
        ("next.config.mjs", "export default {}"),
        (".env.local", "A=1"),
        ("supabase/migrations/1_init.sql", "create table a (id int);"),
        ("supabase/seed.sql", "insert into a values (1);"),
    ]);
    expect(&ctx, "app/page.test.tsx", ContextKind::Test, "test");
    expect(&ctx, "__tests__/x.ts", ContextKind::Test, "test");
    expect(&ctx, "scripts/seed.ts", ContextKind::Script, "scripts");
    expect(&ctx, "next.config.mjs", ContextKind::Config, "configuration");
    expect(&ctx, ".env.local", ContextKind::Config, "environment");
    expect(&ctx, "supabase/migrations/1_init.sql", ContextKind::Server, "database");
    expect(&ctx, "supabase/seed.sql", ContextKind::Script, "seed");
}

#[test]
fn monorepo_uses_the_nearest_package_json() {
    let ctx = contexts(&[
        ("package.json", r#"{"private":true}"#),
        ("apps/web/package.json", r#"{"devDependencies":{"vite":"5.0.0"}}"#),
        ("apps/web/src/main.ts", "x"),
        ("apps/api/package.json", r#"{"dependencies":{"express":"4.0.0"}}"#),
        ("apps/api/src/main.ts", "x"),
    ]);
    expect(&ctx, "apps/web/src/main.ts", ContextKind::Client, "Vite");
    expect(&ctx, "apps/api/src/main.ts", ContextKind::Server, "Express");
}

#[test]
fn configuration_overrides_by_glob() {
    let ctx = contexts(&[
        ("package.json", NEXT),
        (
            ".nudge.toml",
            "[context]\n\"shared/**\" = \"server\"\n\"shared/browser/**\" = \"client\"\n",
        ),
        ("shared/db.ts", "x"),
        ("shared/browser/widget.ts", "x"),
    ]);
    expect(&ctx, "shared/db.ts", ContextKind::Server, "shared/**");
    expect(
        &ctx,
        "shared/browser/widget.ts",
        ContextKind::Client,
        "shared/browser/**",
    );
}

#[test]
fn import_cycles_terminate() {
    let ctx = contexts(&[
        ("a.ts", "\"use client\";\nimport './b';"),
        ("b.ts", "import './c';"),
        ("c.ts", "import './b';\nimport './a';"),
    ]);
    expect(&ctx, "c.ts", ContextKind::Client, "imported by `b.ts`");
}
