import { createHash } from "node:crypto";

/** What CloudFormation accepts as a logical id. */
export const LOGICAL_ID_PATTERN = /^[A-Za-z0-9]{1,255}$/;
const MAX = 255;

function words(part: string): string[] {
  // Split on anything not a letter or digit; existing camel case is kept as it is.
  return part.split(/[^A-Za-z0-9]+/).filter(Boolean);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8).toUpperCase();
}

function sanitise(parts: readonly string[]): string {
  const id = parts
    .flatMap(words)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return id.length > 0 ? id : "Resource";
}

/**
 * A CloudFormation logical id from human name parts: PascalCase, letters and digits only, at most 255 characters.
 * Pure: the same parts always give the same id. Different names can sanitise to the same id ("my-fn", "my_fn");
 * use a `LogicalIdAllocator` to keep ids unique within a template.
 * @example logicalId("orders", "create-order") // "OrdersCreateOrder"
 */
export function logicalId(...humanNameParts: string[]): string {
  const id = sanitise(humanNameParts);
  if (id.length <= MAX) return id;
  return id.slice(0, MAX - 8) + shortHash(JSON.stringify(humanNameParts));
}

/**
 * Hands out logical ids that are unique within one template. The same name parts always get the same id;
 * a name whose sanitised id is already taken by a different name gets an 8-character hash of its parts appended
 * (e.g. "MyFn" then "MyFn3A1F09C2"), so existing ids never change when a colliding name is added later.
 */
export class LogicalIdAllocator {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  /** Mark ids as used (e.g. ids written by hand) so `allocate` never returns them for another name. */
  reserve(...ids: string[]): this {
    for (const id of ids) this.taken.add(id);
    return this;
  }

  /** The logical id for these name parts: stable, sanitised, unique within this allocator. */
  allocate(...humanNameParts: string[]): string {
    const key = JSON.stringify(humanNameParts);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    let id = logicalId(...humanNameParts);
    if (this.taken.has(id)) {
      const base = id;
      const hash = shortHash(key);
      id = base.slice(0, MAX - 8) + hash;
      for (let n = 2; this.taken.has(id); n++) id = base.slice(0, MAX - 8 - String(n).length) + hash + n;
    }
    this.taken.add(id);
    this.byKey.set(key, id);
    return id;
  }

  /** Whether an id has been handed out or reserved. */
  has(id: string): boolean {
    return this.taken.has(id);
  }
}
