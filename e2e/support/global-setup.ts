// Starts Berth (the built web app and the control worker) for the browser tests and stops it afterwards.
// Sign-up is open first: the tests sign up many strangers (e2e/instance.test.ts checks the other policies).
import type { TestProject } from "vitest/node";
import { db } from "@/lib/db";
import { openSignUp } from "../../tests/support/signup-policy";
import { startBerth } from "../../tests/support/start-berth";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  await openSignUp();
  await db.$disconnect();
  const berth = await startBerth();
  project.provide("baseUrl", berth.baseUrl);
  return async () => {
    berth.stop();
    if (process.env.BERTH_E2E_LOG) console.log(berth.output());
  };
}
