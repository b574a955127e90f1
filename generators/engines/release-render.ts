// What a release of this package generates from recorded answers: its own CLI (from its
// extracted package), run into a temp dir without git and without go (neither adds a
// generated file), so the text is exactly what that release wrote.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackageUnavailable } from './package-source.js';
import { parseRecord, RECORD_FILE } from '../model/record.js';

const digestOf = (recordText: string): string | undefined => {
  try {
    return parseRecord(recordText).templatesDigest;
  } catch {
    return undefined;
  }
};

/** The release ran, and could not render the answers (an answer it does not know, say). */
export class ReleaseCannotRender extends PackageUnavailable {}

/** Path → text of every file the release at packageDir writes for the answers (the record left out), and the templates digest the release records (0.6.0 and later). */
export async function renderRelease(
  packageDir: string,
  version: string,
  answers: object,
): Promise<{ files: Map<string, string>; templatesDigest?: string }> {
  const { execa } = await import('execa');
  const work = mkdtempSync(join(tmpdir(), 'cgks-release-render-'));
  try {
    const answersFile = join(work, 'answers.json');
    writeFileSync(answersFile, JSON.stringify(answers));
    const out = join(work, 'out');
    const r = await execa(
      process.execPath,
      [join(packageDir, 'dist', 'cli.cjs'), out, '--answers', answersFile, '--yes', '--no-git', '--no-install'],
      {
        reject: false,
        stdin: 'ignore',
        env: { CI: '1', NO_COLOR: '1' },
      },
    );
    if (r.exitCode !== 0) {
      const why =
        String(r.stderr)
          .trim()
          .split('\n')
          .find((l) => /^error/i.test(l)) ?? `exit ${r.exitCode}`;
      throw new ReleaseCannotRender(`create-go-k8s-service ${version} could not render the recorded answers: ${why}`);
    }
    const files = new Map<string, string>();
    let templatesDigest: string | undefined;
    const walk = (dir: string, rel: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(join(dir, e.name), path);
        else if (path !== RECORD_FILE) files.set(path, readFileSync(join(dir, e.name), 'utf8'));
        else templatesDigest = digestOf(readFileSync(join(dir, e.name), 'utf8'));
      }
    };
    walk(out, '');
    return { files, ...(templatesDigest ? { templatesDigest } : {}) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
