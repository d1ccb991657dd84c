/** A plain JSON-like object (not null, not an array): what a service definition's records and a template's nodes are. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
