// What Ctrl-C says. The first one is acknowledged at once and honoured where it lands (a command reads its
// AbortSignal); a second one exits at once. A command names, for the step it is in, what stopping means now and
// what an exit at once may leave behind; `sparta` (bin.ts) prints the one that applies the moment a Ctrl-C arrives.

/** Process exit code after an interrupt (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

export interface InterruptNotes {
  /** Printed at the first Ctrl-C: what happens now. */
  first: string;
  /** Printed at the second Ctrl-C, before exiting: what may be left. */
  second: string;
}

const DEFAULT: InterruptNotes = {
  first: "Ctrl-C: stopping (Ctrl-C again to exit at once)",
  second: "Ctrl-C again: exited at once",
};

let current: InterruptNotes = DEFAULT;

/** Say what a Ctrl-C means from now on (`undefined`: the default). */
export function setInterruptNotes(notes: InterruptNotes | undefined): void {
  current = notes ?? DEFAULT;
}

/** What a Ctrl-C means now. */
export function interruptNotes(): InterruptNotes {
  return current;
}
