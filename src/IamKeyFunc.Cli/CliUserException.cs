namespace IamKeyFunc.Cli;

/// <summary>A mistake the user can fix (a bad <c>--output</c>, a file in use): shown as its message alone, exit code 1.</summary>
internal sealed class CliUserException(string message, Exception? innerException = null) : Exception(message, innerException);
