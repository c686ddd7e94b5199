using Stratus.Runtime;

namespace Handlers;

public sealed class CustomerNotFoundException(string message) : Exception(message);

public static class Failures
{
    public static string Throw(Person person) => throw new CustomerNotFoundException($"no customer named {person.Name}");

    public static async Task<string> ThrowAsync(string text)
    {
        await Task.Yield();
        throw new InvalidOperationException("async failure: " + text);
    }

    public static async Task<string> HangAsync(ILambdaContext context)
    {
        Console.WriteLine("hanging");
        await Task.Delay(Timeout.Infinite);
        return "never";
    }
}

public sealed class BrokenConstructor
{
    public BrokenConstructor() => throw new InvalidOperationException("constructor failed");

    public string Handle(string text) => text;
}
