namespace Stratus.Cli.Manifests;

/// <summary>A manifest that cannot be applied: the message names the file, line and key at fault.</summary>
internal sealed class ManifestException(string message) : Exception(message);
