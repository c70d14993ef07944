//! Generated TSX shared by the benchmarks.

/// A client component file of `lines` lines with the shapes rules look at.
pub fn big_tsx(lines: usize) -> String {
    let mut out = String::from(
        "\"use client\";\nimport { useState } from \"react\";\nimport { supabase } from \"@/lib/supabase\";\n\n",
    );
    let mut n = 0;
    while out.lines().count() < lines {
        out.push_str(&format!(
            "export function Card{n}({{ user, items }}: {{ user: {{ plan: string; name: string }}; items: string[] }}) {{\n  const [open{n}, setOpen{n}] = useState(false);\n  const label = `Card ${{\"{n}\"}} for ${{user.name}}`;\n  if (user.plan === \"pro\") {{\n    return <section className=\"pro\">{{label}}</section>;\n  }}\n  return (\n    <div onClick={{() => setOpen{n}(!open{n})}}>\n      {{items.map((item) => (\n        <span key={{item}}>{{item}}</span>\n      ))}}\n    </div>\n  );\n}}\n\n"
        ));
        n += 1;
    }
    out
}
