using Stratus.Runtime;

namespace Hello;

/// <summary>The benchmark's dotnet10 function: <c>Hello::Hello.Function::Handler</c>.</summary>
public static class Function
{
    public static string Handler(ILambdaContext context) => "hello";
}
