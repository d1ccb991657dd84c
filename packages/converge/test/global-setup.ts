import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { type Emulator, startEmulator } from "../src/testing.js";

let emulator: Emulator | undefined;

/** One emulator for the whole run; each test uses its own stack names, so files can run in parallel. */
export async function setup(project: TestProject): Promise<void> {
  emulator = await startEmulator();
  project.provide("emulatorEndpoint", emulator.endpoint);
}

export async function teardown(): Promise<void> {
  await emulator?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    emulatorEndpoint: string;
  }
}
