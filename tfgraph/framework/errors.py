"""TF1's error classes (tf.errors.*). Messages name the op and the user's file:line."""

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """A runtime error tied to an op: `.op`, `.node_def`, `.message`, `.error_code`."""

    error_code = UNKNOWN

    def __init__(self, node_def, op, message, error_code=None):
        self.node_def = node_def
        self.op = op
        self.message = message
        if error_code is not None:
            self.error_code = error_code
        super().__init__(self._full_message())

    def _full_message(self):
        if self.op is None:
            return self.message
        where = getattr(self.op, "location", None)
        suffix = "\n\t [[node %s (defined at %s) ]]" % (self.op.name, where) if where else (
            "\n\t [[node %s ]]" % self.op.name)
        return self.message + suffix

    def __str__(self):
        return self._full_message()


def _make(name, code):
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code)
    return type(name, (OpError,), {"__init__": __init__, "error_code": code})


CancelledError = _make("CancelledError", CANCELLED)
UnknownError = _make("UnknownError", UNKNOWN)
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _make("NotFoundError", NOT_FOUND)
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _make("AbortedError", ABORTED)
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED)
InternalError = _make("InternalError", INTERNAL)
UnavailableError = _make("UnavailableError", UNAVAILABLE)
DataLossError = _make("DataLossError", DATA_LOSS)
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED)


def where(op):
    """' (op 'name' created at file:line)' for ValueError/TypeError messages at graph construction."""
    if op is None:
        return ""
    return " (op '%s' created at %s)" % (op.name, op.location)


def uninitialized(op, var_name):
    """The error of reading a variable (or slot) that was never initialized."""
    return FailedPreconditionError(
        None, op, "Attempting to use uninitialized value %s" % var_name)
