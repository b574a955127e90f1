// Base images (Dockerfile) and CI job images (GitLab), pinned by digest with the tag beside it
// (`name:tag@sha256:...`): a tag can be moved to other bytes, a digest cannot, and the tag says
// what the digest is. Renovate's docker manager reads this form and keeps both current.
// Where each digest was read, and when: test/IMAGE-PINS.md.

/** golang:<minor> per Go minor version; a version not listed renders by tag alone. */
const GO: Readonly<Record<string, string>> = {
  '1.25': 'sha256:36b4f45d2874905b9e8573b783292629bcb346d0a70d8d7150b6df545234818f',
  '1.26': 'sha256:3aff6657219a4d9c14e27fb1d8976c49c29fddb70ba835014f477e1c70636647',
  '1.27': 'sha256:e0174e51e81218523251d85d248a90d24c3d5e81543b4f07a5d66229397db190',
};

/** Go minor versions with a pinned builder image. */
export const PINNED_GO_VERSIONS: readonly string[] = Object.keys(GO);

/** The builder image for a Go minor version: pinned when its digest is known. */
export function goImage(goVersion: string): string {
  const digest = GO[goVersion];
  return digest ? `golang:${goVersion}@${digest}` : `golang:${goVersion}`;
}

/** Every other image the generated files run, by role. */
export const IMAGES = {
  distroless: 'gcr.io/distroless/static-debian13:nonroot@sha256:f7f8f729987ad0fdf6b05eeeae94b26e6a0f613bdf46feea7fc40f7bd72953e6',
  alpine: 'alpine:3.24@sha256:28bd5fe8b56d1bd048e5babf5b10710ebe0bae67db86916198a6eec434943f8b',
  helm: 'alpine/helm:3.21.4@sha256:82c0ce1b4196539946ed01bdfd9345cf74ca999b95d3074ce3f2f5ea45c96e80',
  // docker:29 is the Docker official image's dind variant: the same index as docker:29-dind.
  docker: 'docker:29@sha256:5efed980cba3fc126cf54e21a5a6ff8849d05b6e0623d6e7612f48e9cd6cd17e',
  dockerDind: 'docker:29-dind@sha256:5efed980cba3fc126cf54e21a5a6ff8849d05b6e0623d6e7612f48e9cd6cd17e',
  hadolint: 'hadolint/hadolint:v2.14.0-debian@sha256:158cd0184dcaa18bd8ec20b61f4c1cabdf8b32a592d062f57bdcb8e4c1d312e2',
  node: 'node:24-alpine@sha256:a0b9bf06e4e6193cf7a0f58816cc935ff8c2a908f81e6f1a95432d679c54fbfd',
  trivy: 'aquasec/trivy:0.70.0@sha256:be1190afcb28352bfddc4ddeb71470835d16462af68d310f9f4bca710961a41e',
  // PostgreSQL 15, the major the generator's own tests run against (--database postgres).
  postgres: 'postgres:15-alpine@sha256:fe0737ba566a2c5b2a28f34433c0a423261900ec17b9bf7ad115e1aae7e57f1b',
} as const;
