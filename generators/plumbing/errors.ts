// The two kinds of error a command ends with; cli.ts maps them to exit codes, and nothing
// in between translates one into the other.

/** The request cannot be taken as given (a flag, an answer, a name): exit 2, nothing done. */
export class UsageError extends Error {}

/** An expected failure or refusal whose message is complete for the user: exit 1 unless said. */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
