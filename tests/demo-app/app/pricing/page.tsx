import { PlanGate, SummaryButton } from "@/components/PlanGate";

export default function PricingPage() {
  return (
    <main>
      <h1>Pricing</h1>
      <PlanGate>
        <SummaryButton text="Export all invoices as CSV" />
      </PlanGate>
    </main>
  );
}
