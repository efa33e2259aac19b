// A job is defined once (name, queue, payload schema, retry policy) and imported by both the web app,
// which enqueues it, and the worker, which parses job.data with the same schema. A job whose worker answers
// (every host job) also names the schema of its answer: the caller parses the answer with it, and the
// agent's handler for it must return that shape (workers/agent/jobs.ts), both checked by the compiler.
import type { JobsOptions } from "bullmq";
import type { z } from "zod";

export type JobDefinition<S extends z.ZodType = z.ZodType, N extends string = string> = {
  name: N;
  queue: string;
  schema: S;
  options: JobsOptions;
};

/** A job that answers: `result` is what its answer must parse as. */
export type AnsweringJobDefinition<S extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType, N extends string = string> = JobDefinition<S, N> & {
  result: R;
};

export function defineJob<N extends string, S extends z.ZodType, R extends z.ZodType>(def: AnsweringJobDefinition<S, R, N>): AnsweringJobDefinition<S, R, N>;
export function defineJob<N extends string, S extends z.ZodType>(def: JobDefinition<S, N>): JobDefinition<S, N>;
export function defineJob(def: JobDefinition) {
  return def;
}
