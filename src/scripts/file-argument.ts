// Reading the one FILE argument (and boolean flags) of the database commands: wrong usage prints
// the usage line and exits 2, `--help` prints it and exits 0.
import { parseArgs } from 'node:util';

export type FileArgument<Flag extends string> = { file: string; flags: Record<Flag, boolean> } | { exitCode: number };

export function readFileArgument<Flag extends string>(usage: string, flags: readonly Flag[] = []): FileArgument<Flag> {
  const options = Object.fromEntries(flags.map((flag) => [flag, { type: 'boolean' as const, default: false }]));
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return { exitCode: 2 };
  }
  if (parsed.values.help) {
    console.log(usage);
    return { exitCode: 0 };
  }
  if (parsed.positionals.length !== 1) {
    console.error(usage);
    return { exitCode: 2 };
  }
  const values = parsed.values as Record<string, unknown>;
  return { file: parsed.positionals[0]!, flags: Object.fromEntries(flags.map((flag) => [flag, values[flag] === true])) as Record<Flag, boolean> };
}
