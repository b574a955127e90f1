// The committed examples (examples/<name>/): repos rendered by the generator, read in review as
// code (a template change shows its Go and YAML diff there). Together they use every option at
// least once. `npm run examples` renders them; test/cli/examples.test.ts fails when one is stale
// and test/e2e/examples.test.ts builds, tests and lints each as its own module.

/** The example preset, relative to the repo root. */
export const EXAMPLE_PRESET = 'docs/example-preset';

export interface Example {
  name: string;
  /** Flags after `<dir> --yes --no-git --no-install`; {preset} stands for the example preset's path. */
  args: string[];
  why: string;
}

// Every answer that has a default elsewhere (the local Go's version) is given, so every machine
// renders the same bytes.
export const EXAMPLES: readonly Example[] = [
  { name: 'default', args: ['--go-version', '1.26'], why: 'every default' },
  {
    name: 'postgres-tracing',
    args: ['--go-version', '1.26', '--database', 'postgres', '--tracing', '--base-image', 'alpine'],
    why: 'PostgreSQL, OpenTelemetry tracing, an Alpine runtime image',
  },
  {
    name: 'gitlab-gitops',
    args: [
      '--go-version',
      '1.26',
      '--module',
      'gitlab.com/example/gitlab-gitops',
      '--ci',
      'gitlab',
      '--deploy',
      'gitops',
      '--sign',
      '--update-job',
    ],
    why: 'GitLab CI, GitOps publishing, image signing, the scheduled update job',
  },
  {
    name: 'scratch-no-metrics',
    args: [
      '--go-version',
      '1.25',
      '--ci',
      'none',
      '--base-image',
      'scratch',
      '--no-metrics',
      '--no-automaxprocs',
      '--port',
      '9090',
      '--lifecycle',
      'production',
      '--system',
      'payments',
      '--owner',
      'group:default/payments',
    ],
    why: 'the oldest supported Go, no CI file, a scratch image, no metrics, no automaxprocs, another port, catalog answers',
  },
  {
    name: 'with-preset',
    args: ['--go-version', '1.26', '--preset', '{preset}', '--set', 'team=payments', '--set', 'costCentre=CC-4711'],
    why: 'the example preset: its defaults, lock, questions, files, patches and conventions',
  },
];

/** The CLI arguments that render one example into dir, with the example preset at presetDir. */
export const exampleArgs = (e: Example, dir: string, presetDir: string): string[] => [
  dir,
  '--name',
  e.name,
  '--yes',
  '--no-git',
  '--no-install',
  ...e.args.map((a) => (a === '{preset}' ? presetDir : a)),
];
