// The control API's one error edge: error classes to HTTP statuses here, and back to the same classes in the client,
// so a refusal reads the same whether the operations ran in this process or behind the loopback server.
import { InvalidReleaseError } from '#domain/errors.ts';
import { NotFoundError } from '#ports/errors.ts';
import { BadControlRequestError, ControlError, ControlForbiddenError, ControlUnavailableError, ReadOnlyStateError } from './errors.ts';

const BY_CLASS: [new (...args: never[]) => Error, number][] = [
  [BadControlRequestError, 400],
  [InvalidReleaseError, 400],
  [ControlForbiddenError, 403],
  [NotFoundError, 404],
  [ReadOnlyStateError, 409],
  [ControlUnavailableError, 503],
];

export function statusOf(error: unknown): number {
  for (const [type, status] of BY_CLASS) if (error instanceof type) return status;
  return 500;
}

export function errorOf(status: number, message: string): Error {
  switch (status) {
    case 400:
      return new BadControlRequestError(message);
    case 403:
      return new ControlForbiddenError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ReadOnlyStateError(message);
    case 503:
      return new ControlUnavailableError(message);
    default:
      return new ControlError(message);
  }
}
