// Bundles the same hello function as bench/hello.mjs on the stripped runtime.mjs, with the bench's esbuild options,
// and prints its size beside this package's and Middy's: a floor for "how small can the hello bundle be".
// What runtime.mjs leaves out, though issue 3 asks for it on the hello path: the rest of the standard Request and
// Response members, a spec Headers, error classes with codes and fix-naming messages, the 400 naming a malformed
// event's field, callback-style legacy handlers, the Logger API, the event-source naming of generic events.
import { fileURLToPath } from "node:url";
import { bundleHello, helloSources } from "../hello.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const sources = helloSources(fileURLToPath(new URL("../../src/index.ts", import.meta.url)));
const floor = await bundleHello(sources.sparta.replace(/from "[^"]+"/, 'from "./runtime.mjs"'), here);
const sparta = await bundleHello(sources.sparta, packageDir);
const middy = await bundleHello(sources.middy, packageDir);
console.log(`floor (runtime.mjs)  ${floor.bytes} bytes`);
console.log(`sparta (src)         ${sparta.bytes} bytes`);
console.log(`middy                ${middy.bytes} bytes`);
