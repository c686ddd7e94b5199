using Stratus.Api;
using Stratus.Functions;

namespace Stratus.Tests.Functions;

public sealed class FunctionArnTests
{
    [Theory]
    [InlineData("my-fn", "my-fn", null)]
    [InlineData("my-fn:$LATEST", "my-fn", "$LATEST")]
    [InlineData("123456789012:function:my-fn", "my-fn", null)]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:my-fn", "my-fn", null)]
    [InlineData("arn:aws:lambda:eu-west-2:123456789012:function:my_fn:prod", "my_fn", "prod")]
    public void Parse_AcceptedForms_GiveNameAndQualifier(string input, string name, string? qualifier)
    {
        var arn = FunctionArn.Parse(input);

        Assert.Equal(name, arn.Name);
        Assert.Equal(qualifier, arn.Qualifier);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("a:b:c:d")]
    public void Parse_Malformed_IsAnInvalidParameter(string input)
    {
        var error = Assert.Throws<LambdaException>(() => FunctionArn.Parse(input));

        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Parse_NameLongerThan64_IsRejected() =>
        Assert.Throws<LambdaException>(() => FunctionArn.Parse(new string('a', 65)));
}
