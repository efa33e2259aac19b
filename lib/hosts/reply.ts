// How a host job's result travels back: sealed to the caller. `callHost` makes a key pair per call and adds
// only its public half to the job's data (`replyKey`); the agent seals the whole result to it, so the job's
// hash and the queue's events stream hold nothing the waiting web process alone could not open.
import { z } from "zod";
import { createOpeningKey, PUBLIC_KEY, sealTo, type OpeningKey } from "@/lib/crypto/sealed-box";

export const replyTo = z.object({ replyKey: z.string().regex(PUBLIC_KEY) });

type JobRef = { name: string; id?: string };
// Binds a result to the job it answers.
const aad = (job: JobRef) => `berth host reply v1:${job.name}:${job.id ?? ""}`;

export function createReplyKey(): OpeningKey {
  return createOpeningKey();
}

export function sealReply(job: JobRef, replyKey: string, result: unknown): string {
  return sealTo(replyKey, JSON.stringify(result ?? null), aad(job));
}

/** Throws if the answer is not a box sealed for this key and job (e.g. an agent older than this control plane). */
export function openReply(key: OpeningKey, job: JobRef, answer: unknown): unknown {
  if (typeof answer !== "string") throw new Error("the host's answer was not sealed");
  return JSON.parse(key.open(answer, aad(job)));
}
