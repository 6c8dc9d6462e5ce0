// An error the REST API answers with, shaped like OpenWhisk's: HTTP status + {error, code}
// (code is the request's transaction id, added when the response is written).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const Errors = {
  notFound: () => new ApiError(404, 'The requested resource does not exist.'),
  conflict: () => new ApiError(409, 'resource already exists'),
  unauthorized: () => new ApiError(401, 'The supplied authentication is invalid'),
  forbidden: (ns: string) => new ApiError(403, `The supplied authentication is not authorized to access '${ns}'.`),
  badRequest: (what: string) => new ApiError(400, what),
  methodNotAllowed: () => new ApiError(405, 'HTTP method not allowed, supported methods: GET, PUT, POST, DELETE.'),
  notImplemented: (what: string) => new ApiError(501, `${what} is not supported by the local platform`),
};
