// Errors every command may raise; cli.ts maps them to exit codes.

/** An expected failure (exit 1 by default) whose message is complete for the user. */
export class CommandFailed extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
