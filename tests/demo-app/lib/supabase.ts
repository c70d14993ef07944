import { createClient } from "@supabase/supabase-js";

// The anon key is public by design; row-level security guards the data.
export const supabase = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
);
