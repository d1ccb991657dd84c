#!/usr/bin/env node
// Regenerates src/generated/envelope.{js,d.ts} from proto/envelope.proto with protobufjs-cli
// (static code: nothing parses .proto at run time). Run: pnpm --filter @sparta/handler generate
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const js = join(root, "src/generated/envelope.js");
const dts = join(root, "src/generated/envelope.d.ts");

execFileSync(
  bin("pbjs"),
  [
    "-t",
    "static-module",
    "-w",
    "es6",
    "--no-create",
    "--no-verify",
    "--no-delimited",
    "--force-number",
    "-o",
    js,
    "proto/envelope.proto",
  ],
  { cwd: root, stdio: "inherit" },
);
// protobufjs is CommonJS: Node's ESM loader cannot see its named exports, so import the default export.
const source = readFileSync(js, "utf8").replace(
  'import * as $protobuf from "protobufjs/minimal";',
  'import $protobuf from "protobufjs/minimal.js";',
);
writeFileSync(js, source);
execFileSync(bin("pbts"), ["-o", dts, js], { cwd: root, stdio: "inherit" });
// int64 fields are generated as plain numbers (--force-number), so the `long` typings are not needed.
const types = readFileSync(dts, "utf8")
  .replace('import * as $protobuf from "protobufjs";', 'import type * as $protobuf from "protobufjs";')
  .replace('import Long = require("long");\n', "");
writeFileSync(dts, types);
process.stdout.write(`generated ${js} and ${dts}\n`);
