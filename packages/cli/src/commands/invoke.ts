import { stackNameOf } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

export const invoke: BuiltinCommand = {
  name: "invoke",
  description:
    "run one function once with an event, locally as Lambda would (or the deployed one with --remote); prints its result",
  needsService: true,
  args: "<function>",
  examples: [
    "sparta invoke hello --sample",
    "sparta invoke hello --event events/get.json",
    'echo \'{"orderId":"42"}\' | sparta invoke orders --event -',
    "sparta invoke hello --remote --stage dev --sample",
  ],
  flags: {
    event: {
      type: "string",
      valueName: "FILE",
      description: "the event JSON file, or - for stdin (default {})",
    },
    sample: {
      type: "boolean",
      description:
        "use a sample event for the function's first trigger, filled in from it (bucket, queue, route, ...)",
    },
    remote: {
      type: "boolean",
      description: "invoke the deployed function of the stack (Lambda Invoke) and print its log tail",
    },
  },
  async run(ctx) {
    const { runInvoke } = await import("../invoke.js");
    return runInvoke({ ...ctx, stackName: stackNameOf(ctx) });
  },
};
