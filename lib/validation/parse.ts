import type { z } from "zod";
import { ValidationError, type FieldErrors } from "@/lib/errors";

/** Parses input against a schema, throwing a ValidationError that names each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.join(".") || "_";
    (fields[key] ??= []).push(issue.message);
  }
  const first = r.error.issues[0]?.message ?? "Invalid input.";
  throw new ValidationError(first, fields);
}

/** FormData → plain object of strings (the shape schemas expect from forms). */
export function formObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") out[k] = v;
  return out;
}
