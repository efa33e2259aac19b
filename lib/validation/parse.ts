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

const PROBLEM = Symbol("form problem");
type FormValues = Record<string, string> & { [PROBLEM]?: string };

/**
 * FormData → plain object of strings (the shape schemas expect from forms). Server actions are public
 * endpoints that anyone can call with any body, so this never throws: input that is not form data, or that
 * holds a NUL byte (which PostgreSQL refuses), is marked and `runAction` answers it with a validation error
 * before the action runs.
 */
export function formObject(form: unknown): FormValues {
  const out: FormValues = {};
  if (!(form instanceof FormData)) {
    out[PROBLEM] = "This form was not sent as form data.";
    return out;
  }
  for (const [k, v] of form.entries()) {
    if (typeof v !== "string") continue;
    if (v.includes("\0") || k.includes("\0")) out[PROBLEM] = "The form contains a NUL character.";
    out[k] = v;
  }
  return out;
}

/** Why `formObject`'s result must not be acted on, if it must not. */
export function formProblem(values: Record<string, string> | undefined): string | undefined {
  return (values as FormValues | undefined)?.[PROBLEM];
}
