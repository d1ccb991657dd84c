// The cold-start comparison's two hello functions and the one esbuild configuration both are bundled with,
// shared by bench/run.mjs and test/bundle-size.test.ts so the budget test measures exactly what the bench does.
import { build } from "esbuild";

/**
 * Identical for both bundles: one self-contained ESM file for Node 20, minified (whitespace, syntax and
 * identifiers, esbuild's default `minify: true`), tree-shaken, no source map, Node built-ins left external
 * (`platform: "node"`), every npm dependency bundled.
 */
export const HELLO_ESBUILD_OPTIONS = Object.freeze({
  bundle: true,
  minify: true,
  treeShaking: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  logLevel: "silent",
});

/**
 * The same hello function both ways: a JSON answer behind error handling, header normalisation and JSON
 * body parsing (Middy's three HTTP middlewares, and this package's equivalents).
 * `spartaEntry` is the module the sparta one imports: `dist/index.js` in the bench, `src/index.ts` in the test.
 */
export function helloSources(spartaEntry) {
  return {
    sparta: `import { lambdaHandler, compose, errorMapper, jsonBody, normalizeHeaders, json } from ${JSON.stringify(spartaEntry)};
export const handler = lambdaHandler(compose(errorMapper(), normalizeHeaders(), jsonBody())(async () => json({ hello: "world" })));`,
    middy: `import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
export const handler = middy(async () => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) }))
  .use(httpErrorHandler()).use(httpHeaderNormalizer()).use(httpJsonBodyParser());`,
  };
}

/**
 * Bundles one hello source (resolving packages from `resolveDir`). Returns the code, its size in bytes and
 * the source files that contribute bytes to it (tree-shaken modules are left out), with their minified bytes.
 */
export async function bundleHello(source, resolveDir) {
  const result = await build({
    ...HELLO_ESBUILD_OPTIONS,
    stdin: { contents: source, resolveDir, sourcefile: "hello.mjs", loader: "js" },
    write: false,
    metafile: true,
    outfile: "hello.bundle.mjs",
  });
  const output = result.outputFiles[0];
  const contributing = Object.entries(Object.values(result.metafile.outputs)[0].inputs).filter(
    ([, input]) => input.bytesInOutput > 0,
  );
  return {
    code: output.text,
    bytes: output.contents.byteLength,
    inputs: contributing.map(([path]) => path),
    modules: Object.fromEntries(contributing.map(([path, input]) => [path, input.bytesInOutput])),
  };
}
