// Masking secret values in text shown to people (container logs, build logs). Pure: the agent uses it too.
export const MASK = "••••••";

/** Replaces every occurrence of the given secret values (longest first) with a mask. */
export function maskSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) out = out.split(s).join(MASK);
  return out;
}
