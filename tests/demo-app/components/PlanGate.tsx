"use client";

import { useEffect, useState } from "react";
import { supabase } from "@/lib/supabase";
import { summarize } from "@/lib/ai";

type Profile = { id: string; plan: "free" | "pro"; credits: number };

export function PlanGate({ children }: { children: React.ReactNode }) {
  const [profile, setProfile] = useState<Profile | null>(null);

  useEffect(() => {
    supabase.from("profiles").select("*").single().then(({ data }) => setProfile(data));
  }, []);

  if (profile?.plan !== "pro") {
    return <a href="/pricing">Upgrade to Pro to export invoices</a>;
  }
  return <>{children}</>;
}

export function SummaryButton({ text }: { text: string }) {
  const [summary, setSummary] = useState("");
  return <button onClick={async () => setSummary((await summarize(text)) ?? "")}>{summary || "Summarize"}</button>;
}
