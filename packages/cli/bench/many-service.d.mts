/** Writes a service of `n` one-route HTTP functions with safeDeploy() and alarms() into `dir` (see many-service.mjs). */
export function writeManyService(dir: string, n: number, name: string): void;
