/**
 * The canned bot: it recognises a few topics (answered from the database, with the
 * user's own credentials) and has a stock reply for everything else. A real bot would
 * call a model here; the identity plumbing around it stays the same.
 */
const TOPICS: readonly { topic: string; pattern: RegExp }[] = [
  { topic: 'hours', pattern: /\b(hours?|open|when)\b/i },
  { topic: 'privacy', pattern: /\b(privacy|private|data|secure|identity)\b/i },
  { topic: 'pricing', pattern: /\b(price|pricing|cost|pay|free)\b/i },
];

export type BotPlan = { kind: 'lookup'; topic: string } | { kind: 'canned'; reply: string };

export function planReply(message: string): BotPlan {
  const match = TOPICS.find(({ pattern }) => pattern.test(message));
  if (match) return { kind: 'lookup', topic: match.topic };
  if (/^\s*(hi|hello|hey)\b/i.test(message)) return { kind: 'canned', reply: 'Hello! Ask me about our hours, privacy or pricing.' };
  return { kind: 'canned', reply: "I only know about our hours, privacy and pricing. Try one of those." };
}
