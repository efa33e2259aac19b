// A job is defined once (name, queue, payload schema, retry policy) and imported by both the web app,
// which enqueues it, and the worker, which parses job.data with the same schema.
import type { JobsOptions } from "bullmq";
import type { z } from "zod";

export type JobDefinition<S extends z.ZodType> = {
  name: string;
  queue: string;
  schema: S;
  options: JobsOptions;
};

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}
