// Starts Berth (the built web app and the control worker) for the browser tests and stops it afterwards.
import type { TestProject } from "vitest/node";
import { startBerth } from "../../tests/support/start-berth";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const berth = await startBerth();
  project.provide("baseUrl", berth.baseUrl);
  return async () => {
    berth.stop();
    if (process.env.BERTH_E2E_LOG) console.log(berth.output());
  };
}
