import { bootstrap } from "./bootstrap.js";
import { completion } from "./completion.js";
import { deleteCommand } from "./delete.js";
import { describe } from "./describe.js";
import { explore } from "./explore.js";
import { init } from "./init.js";
import { invoke } from "./invoke.js";
import { logs } from "./logs.js";
import { provision } from "./provision.js";
import { status } from "./status.js";
import type { BuiltinCommand } from "./types.js";
import { version } from "./version.js";

/**
 * The built-in commands, in the order `sparta help` lists them. A new command is a file of this folder named after
 * it (exporting its `BuiltinCommand`) and one line here; `BUILTIN_COMMANDS` of validate.ts reserves its name.
 */
export const BUILTINS: readonly BuiltinCommand[] = [
  init,
  bootstrap,
  provision,
  deleteCommand,
  describe,
  explore,
  invoke,
  status,
  logs,
  completion,
  version,
];
