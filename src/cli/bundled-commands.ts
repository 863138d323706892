// The commands the CLI bundle carries (src/cli/bundle.ts fills this module in for the bundle, from
// the files in ./commands). Empty when the CLI runs from its sources: cli.ts imports each by path.
export const bundledCommands: Record<string, (() => Promise<unknown>) | undefined> = {};
