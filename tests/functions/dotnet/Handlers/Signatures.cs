using System.Text;
using Stratus.Runtime;

namespace Handlers;

public sealed record Person(string Name, int Age);

public sealed record Greeting(string Message, string RequestId, string FunctionName, string FunctionVersion, int Memory, bool RemainingOk, string Runtime);

/// <summary>One handler per supported signature.</summary>
public static class Signatures
{
    public static Greeting Greet(Person person, ILambdaContext context)
    {
        context.Logger.LogLine($"greeting {person.Name}");
        return new Greeting(
            $"Hello {person.Name}, {person.Age}",
            context.AwsRequestId,
            context.FunctionName,
            context.FunctionVersion,
            context.MemoryLimitInMB,
            context.RemainingTime > TimeSpan.Zero && context.RemainingTime <= TimeSpan.FromSeconds(3),
            Environment.GetEnvironmentVariable("AWS_EXECUTION_ENV") ?? "");
    }

    public static string Upper(string text) => text.ToUpperInvariant();

    public static void Nothing() => Console.WriteLine("nothing returned");

    public static string NoInput() => "no input";

    public static string ContextOnly(ILambdaContext context) => context.FunctionName;

    public static async Task<int> SumAsync(int[] numbers)
    {
        await Task.Yield();
        return numbers.Sum();
    }

    public static async Task TaskOnlyAsync(Person person, ILambdaContext context)
    {
        await Task.Yield();
        context.Logger.LogLine("task for " + person.Name);
    }

    public static ValueTask<string> ValueTaskAsync(string text, ILambdaContext context) => ValueTask.FromResult(text + "/" + context.FunctionName);

    public static ValueTask ValueTaskOnly(string text)
    {
        Console.WriteLine("value task " + text);
        return ValueTask.CompletedTask;
    }

    /// <summary>Raw bytes in, raw bytes out: no serializer involved.</summary>
    public static Stream Reverse(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var text = reader.ReadToEnd().ToCharArray();
        Array.Reverse(text);
        return new MemoryStream(Encoding.UTF8.GetBytes(text));
    }

    public static async Task<Stream> StreamAsync(Stream input)
    {
        var copy = new MemoryStream();
        await input.CopyToAsync(copy);
        copy.Position = 0;
        return copy;
    }
}
