/** What every tool does the same way: usage and help as CommandLineUtils prints them. */
import { KAFKA_VERSION, type ToolIO } from './context';
import { formatHelp, withDefaults, type OptionSpec } from './options';

/** CommandLineUtils.printUsageAndExit: the message, then the option table, on stderr; exit 1. */
export function usageError(io: ToolIO, message: string, specs: readonly OptionSpec[]): number {
  io.err(`${message}\n${formatHelp(withDefaults([...specs]))}\n`);
  return 1;
}

/**
 * CommandLineUtils.maybePrintHelpOrVersion: with no arguments or --help, the tool's purpose and
 * the option table (exit 0 for --help); --version prints Kafka's version. null: go on.
 */
export function helpOrVersion(io: ToolIO, argv: readonly string[], has: (n: string) => boolean, purpose: string, specs: readonly OptionSpec[]): number | null {
  if (argv.length === 0 || has('help')) {
    io.err(`${purpose}\n${formatHelp(withDefaults([...specs]))}\n`);
    return argv.length === 0 ? 1 : 0;
  }
  if (has('version')) {
    io.out(`${KAFKA_VERSION}\n`);
    return 0;
  }
  return null;
}

export const BOOTSTRAP_SERVER: OptionSpec = {
  name: 'bootstrap-server',
  description: 'REQUIRED: The Kafka server to connect to.',
  arg: 'required',
  argName: 'server to connect to',
};

export const COMMAND_CONFIG: OptionSpec = {
  name: 'command-config',
  description: 'Property file containing configs to be passed to Admin Client.',
  arg: 'required',
  argName: 'command config property file',
};

/** Files cannot be read in the browser: the tools that take one say so instead of pretending. */
export function noFiles(option: string): string {
  return `The playground has no file system: --${option} cannot be read here.`;
}
