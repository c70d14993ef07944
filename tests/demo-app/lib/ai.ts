import OpenAI from "openai";

// Shared by the pricing page's "try it" box and the API route.
export const openai = new OpenAI({
  apiKey: "sk-proj-c9QeWJKY40uvSwMFLZDe1f8rT3BlbkFJESQedUStPKR0CsTy4Qwb8Dwk",
  dangerouslyAllowBrowser: true,
});

export async function summarize(text: string) {
  const res = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: `Summarize: ${text}` }],
  });
  return res.choices[0].message.content;
}
