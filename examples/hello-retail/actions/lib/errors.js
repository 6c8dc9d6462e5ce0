'use strict';
// OpenWhisk treats a result with an `error` field as an application error: the caller of a
// blocking invocation gets it back instead of a value. Keep the shape the same everywhere.
function failure(code, message, details) {
  return { error: { code, message, ...(details || {}) } };
}

module.exports = { failure };
