import { describe, expect, it } from "vitest";
import { createReporter } from "../src/reporter.js";

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } };
};

describe("createReporter", () => {
  it("rewrites one live progress line on a terminal and clears it before the next message", () => {
    const { chunks, stream } = sink(true);
    const r = createReporter(stream, { level: "info", color: false });
    r.progress("bundling hello");
    r.progress("bundling uploads");
    r.info("done");
    expect(chunks).toEqual([
      "\r\x1b[2K… bundling hello",
      "\r\x1b[2K… bundling uploads",
      "\r\x1b[2K",
      "done\n",
    ]);
  });

  it("writes plain lines, no control codes, when not a terminal", () => {
    const { chunks, stream } = sink(false);
    const r = createReporter(stream, { level: "info", color: true });
    r.progress("bundling hello");
    r.event("12:00:00  CREATE_COMPLETE  AWS::Lambda::Function  HelloFunction");
    r.warn("careful");
    expect(chunks.join("")).toBe(
      "bundling hello\n12:00:00  CREATE_COMPLETE  AWS::Lambda::Function  HelloFunction\nwarning: careful\n",
    );
  });

  it("filters by level and colours only a terminal with colour on", () => {
    const quiet = sink(false);
    const r = createReporter(quiet.stream, { level: "warn", color: false });
    r.debug("d");
    r.info("i");
    r.progress("p");
    r.warn("w");
    r.error("e");
    expect(quiet.chunks.join("")).toBe("warning: w\ne\n");
    const tty = sink(true);
    createReporter(tty.stream, { level: "info", color: true }).error("bad");
    expect(tty.chunks.join("")).toBe("\x1b[31mbad\x1b[0m\n");
  });
});
