namespace Stratus.Runtime.Host;

/// <summary>The handler named in <c>_HANDLER</c> cannot be found or used: an init error, reported as Runtime.InvalidEntrypoint.</summary>
internal sealed class HandlerLoadException(string message, Exception? inner = null) : Exception(message, inner);
