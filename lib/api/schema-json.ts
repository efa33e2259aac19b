// Operation schemas as JSON Schema: for the OpenAPI document, and for the fields an operation takes.
import { z } from "zod";

export type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; allOf?: JsonSchema[]; [k: string]: unknown };

export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const s = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete s.$schema;
  return s;
}

/** An object schema's properties (allOf parts merged), and which are required. */
export function properties(s: JsonSchema): { props: Record<string, JsonSchema>; required: Set<string> } {
  const parts = s.allOf ? s.allOf : [s];
  const props: Record<string, JsonSchema> = {};
  const required = new Set<string>();
  for (const p of parts) {
    Object.assign(props, p.properties ?? {});
    for (const r of p.required ?? []) required.add(r);
  }
  return { props, required };
}

/**
 * The field names an input schema takes, or null when it is not a plain object of named fields (then any
 * field is passed on to the schema to judge).
 */
export function inputFields(schema: z.ZodType): Set<string> | null {
  const s = jsonSchema(schema, "input");
  const parts = s.allOf ?? [s];
  if (!parts.every((p) => p.type === "object" && p.properties && !p.additionalProperties)) return null;
  return new Set(Object.keys(properties(s).props));
}
