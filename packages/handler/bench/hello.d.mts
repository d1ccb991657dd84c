export declare const HELLO_ESBUILD_OPTIONS: Readonly<Record<string, unknown>>;
export declare function helloSources(spartaEntry: string): { sparta: string; middy: string };
export declare function bundleHello(
  source: string,
  resolveDir: string,
): Promise<{ code: string; bytes: number; inputs: string[]; modules: Record<string, number> }>;
