using System.Text;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Tenancy;

/// <summary>The UTF-8 text a signature check hashes, and the header values it folds into it.</summary>
public sealed class Utf8BuilderTests
{
    [Fact]
    public void Append_TextPastItsCapacity_KeepsAllOfItAsUtf8()
    {
        var builder = new Utf8Builder(capacity: 4);
        var text = string.Concat(Enumerable.Repeat("héllo wörld ✓ ", 100));

        builder.Append(text).Append((byte)'\n');

        Assert.Equal(Encoding.UTF8.GetBytes(text + "\n"), builder.Written.ToArray());
        Assert.Equal(text + "\n", builder.ToString());
    }

    [Fact]
    public void Append_LoneSurrogate_WritesTheReplacementCharacter()
    {
        var builder = new Utf8Builder();

        builder.Append("a\uD800b");

        Assert.Equal(new byte[] { (byte)'a', 0xEF, 0xBF, 0xBD, (byte)'b' }, builder.Written.ToArray());
    }

    [Fact]
    public void AppendHex_Bytes_LowercaseHexAfterWhatWasThere()
    {
        var builder = new Utf8Builder(capacity: 2);

        builder.Append("x=").AppendHex([0x00, 0xAB, 0xFF]);

        Assert.Equal("x=00abff", builder.ToString());
    }

    [Fact]
    public void Clear_AfterText_StartsAgainEmpty()
    {
        var builder = new Utf8Builder();
        builder.Append("first");

        builder.Clear().Append("second");

        Assert.Equal("second", builder.ToString());
    }

    [Theory]
    [InlineData("value", "value")]
    [InlineData("  padded\t", "padded")]
    [InlineData("a   b\t\tc \t d", "a b c d")]
    [InlineData("naïve  ünïcode", "naïve ünïcode")]
    public void AppendHeaderValue_SpacesAndTabs_TrimmedAndEachRunMadeOneSpace(string value, string expected)
    {
        var builder = new Utf8Builder();

        SigV4Canonicalizer.AppendHeaderValue(builder, value);

        Assert.Equal(expected, builder.ToString());
    }
}
