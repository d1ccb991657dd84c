import { prepareEmulator } from "../src/testing.js";

/**
 * The root vitest configuration's globalSetup: the emulator's Python is found (or installed into .tools/) once for
 * the whole run, whether it runs every project (`npm test`) or one (`vitest run --project cli`).
 */
export default function setup(): Promise<() => void> {
  return prepareEmulator();
}
