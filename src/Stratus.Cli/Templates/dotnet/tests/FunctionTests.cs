using App;
using Stratus.Runtime.Testing;
using Xunit;

namespace App.Tests;

public sealed class FunctionTests
{
    [Fact]
    public async Task Handler_WithName_GreetsAndLogs()
    {
        var context = new TestLambdaContext { AwsRequestId = "r-1" };

        var response = await new Function().Handler(new Request("Ada"), context);

        Assert.Equal("Hello, Ada!", response.Message);
        Assert.Equal("r-1", response.RequestId);
        Assert.Contains("Greeting Ada", context.Logger.Text);
    }

    [Fact]
    public async Task Handler_WithoutName_GreetsTheWorld()
    {
        var response = await new Function().Handler(new Request(null), new TestLambdaContext());

        Assert.Equal("Hello, world!", response.Message);
    }
}
