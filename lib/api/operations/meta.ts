// The API describing itself: the OpenAPI document, generated from the operations on each request's first use.
import { z } from "zod";
import { env } from "@/lib/env";
import { type Operation, publicOp } from "../operation";
import { openApiDocument } from "../openapi";

let cached: string | undefined;

export const openApiOp = publicOp({
  id: "meta.openapi",
  method: "GET",
  path: "/openapi.json",
  summary: "This document: every operation of the API with its parameters, body, answer, role and token scope.",
  tags: ["meta"],
  input: z.object({}),
  output: z.never(),
  produces: "application/json",
  run: async () => {
    // Imported here: the registry imports this file.
    const { OPERATIONS } = await import("../registry");
    cached ??= JSON.stringify(openApiDocument(OPERATIONS, env.publicUrl));
    return new Response(cached, { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300" } });
  },
});

export const metaOps: Operation[] = [openApiOp];
