/**
 * One HTTP error shape for the whole API: `{ error: { code, message, details? } }`.
 * Services throw AppError; the HTTP layer turns it into that body with `status`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const unauthorized = (message = 'login required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'not allowed') => new AppError(403, 'forbidden', message);

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };
