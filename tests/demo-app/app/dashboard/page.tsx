import { supabase } from "@/lib/supabase";

export default async function Dashboard() {
  const { data: invoices } = await supabase.from("invoices").select("id, amount_cents, status");
  return (
    <ul>
      {invoices?.map((invoice) => (
        <li key={invoice.id}>
          {invoice.status}: {invoice.amount_cents / 100}
        </li>
      ))}
    </ul>
  );
}
