// archiver 8 ships no type declarations; this is the part of its API the fallback writer uses.
declare module "archiver" {
  import type { Readable } from "node:stream";
  export interface ZipArchiveOptions {
    zlib?: { level?: number };
    forceZip64?: boolean;
  }
  export interface ZipEntryData {
    name: string;
    date?: Date;
    mode?: number;
    store?: boolean;
  }
  export class ZipArchive extends Readable {
    constructor(options?: ZipArchiveOptions);
    append(source: Buffer | string, data: ZipEntryData): this;
    finalize(): Promise<void>;
  }
}
