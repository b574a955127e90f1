// Stand-in for `inquirer` inside the bundle. node-plop imports inquirer statically, which
// costs ~70 ms at start-up even when nothing is asked; this loads it on first use instead.
type Inquirer = typeof import('inquirer').default;

let loading: Promise<Inquirer> | undefined;
const load = () => (loading ??= import('inquirer').then((m) => m.default));

const lazy = {
  prompt: (...args: unknown[]) => load().then((i) => (i.prompt as (...a: unknown[]) => unknown)(...args)),
  createPromptModule:
    (...opts: unknown[]) =>
    (...args: unknown[]) =>
      load().then((i) => (i.createPromptModule as (...a: unknown[]) => (...b: unknown[]) => unknown)(...opts)(...args)),
  registerPrompt: (...args: unknown[]) => {
    void load().then((i) => (i.registerPrompt as (...a: unknown[]) => void)(...args));
  },
};

export default lazy;
