// variables operations (see lib/api/operation.ts).
import type { Operation } from "../operation";

export const variableOps: Operation[] = [];
