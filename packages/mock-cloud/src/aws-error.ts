/**
 * An AWS error answer. Operation handlers throw it for the client errors AWS would return; the service
 * front ends (EC2 Query, Route 53 REST-XML) catch it and write it in their wire shape. Anything else that
 * is thrown is a bug in the emulator and becomes an InternalError 500.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}
