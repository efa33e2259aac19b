// instance operations (see lib/api/operation.ts).
import type { Operation } from "../operation";

export const instanceOps: Operation[] = [];
