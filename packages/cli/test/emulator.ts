import { type Emulator, startEmulator } from "@sparta/converge/testing";

/**
 * The AWS emulator with the S3 bucket `bucket` made in it: where an e2e test's `sparta provision --s3Bucket`
 * uploads. Stops the emulator again when the bucket cannot be made.
 */
export async function emulatorWithBucket(bucket: string): Promise<Emulator> {
  const emu = await startEmulator();
  const made = await fetch(`${emu.endpoint}/${bucket}`, { method: "PUT" });
  if (!made.ok) {
    await emu.stop();
    throw new Error(`The emulator did not create bucket ${bucket}: HTTP ${made.status} ${await made.text()}`);
  }
  return emu;
}
