namespace Stratus.Cli;

/// <summary>
/// A <c>stratus new</c> template: its files are embedded under <c>Templates/{Name}/</c>, with
/// <c>{{name}}</c> and <c>{{runtime}}</c> replaced in contents and paths. A template whose code must be
/// built says so in its own <c>stratus.yaml</c> (<c>build:</c>, run before each deploy); <see cref="AfterCreate"/>
/// runs once in the new project (a restore, say) and may fail the command with a message.
/// </summary>
internal sealed record RuntimeTemplate(
    string Name,
    IReadOnlyList<string> Runtimes,
    string TestCommand,
    Func<string, CancellationToken, Task>? AfterCreate = null)
{
    public string DefaultRuntime => Runtimes[0];
}
