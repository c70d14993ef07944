import { summarize } from "@/lib/ai";

export async function POST(request: Request) {
  const { text } = await request.json();
  return Response.json({ summary: await summarize(text) });
}
