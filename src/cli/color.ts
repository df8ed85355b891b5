// Colour on stdout (cli-table3's grey borders) only where a person reads it.

/** FORCE_COLOR (not 0 or false) forces colour; else NO_COLOR (https://no-color.org) or a stdout that is no terminal turns it off. */
export function useColor(env: NodeJS.ProcessEnv = process.env, stdout: { isTTY?: boolean } = process.stdout): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR) return false;
  return stdout.isTTY === true && env.TERM !== 'dumb';
}

/** cli-table3's style: plain headings; grey borders where colour is on. */
export function tableStyle(): { head: string[]; border: string[] } {
  return { head: [], border: useColor() ? ['grey'] : [] };
}
