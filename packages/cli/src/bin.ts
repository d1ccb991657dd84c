#!/usr/bin/env node
import * as nodeModule from "node:module";
import { createInterface } from "node:readline";

// V8's code cache for what the CLI loads (itself, the AWS SDK, esbuild's API), kept in the OS's temporary folder
// (Node 22.1 and later; NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off). It roughly halves
// the start of a command that calls AWS; it must be on before those modules load, so they are imported below.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import("./cli.js");
const { INTERRUPTED_EXIT, interruptNotes } = await import("./interrupt.js");

// The AWS SDK warns on every run under Node 20 that future versions need Node 22; that is not the user's
// deployment's business. Every other process warning is still printed.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "NodeVersionSupportWarning" || warning.message.startsWith("NodeVersionSupportWarning"))
    return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

// First Ctrl-C: acknowledged at once, and the command stops cleanly where it is (see CliIO.signal); a second one
// exits at once, saying what may be left.
const interrupt = new AbortController();
process.on("SIGINT", () => {
  const notes = interruptNotes();
  if (interrupt.signal.aborted) {
    process.stderr.write(`\n${notes.second}\n`);
    process.exit(INTERRUPTED_EXIT);
  }
  process.stderr.write(`\n${notes.first}\n`);
  interrupt.abort();
});

const code = await runCli(process.argv.slice(2), {
  signal: interrupt.signal,
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // A person can answer a question only at a terminal; elsewhere (CI, pipes) delete and provision need --yes.
  interactive: process.stdin.isTTY === true,
  // One line from stdin (a terminal or a pipe); "" when stdin closes first, which declines.
  ask: (question) =>
    new Promise((resolveAnswer) => {
      process.stderr.write(question);
      const lines = createInterface({ input: process.stdin });
      let answered = false;
      lines.once("line", (line) => {
        answered = true;
        lines.close();
        resolveAnswer(line);
      });
      lines.once("close", () => {
        if (!answered) resolveAnswer("");
      });
    }),
});
process.exitCode = code;
