using System.Text;

namespace Stratus.Tenancy.SigV4;

/// <summary>The X-Amz-* parameters of a presigned (query-string signed) request.</summary>
internal sealed class SigV4Presigned
{
    public const string SignatureParameter = "X-Amz-Signature";

    public string? Algorithm { get; private set; }

    public string? Credential { get; private set; }

    public string? Date { get; private set; }

    public string? Expires { get; private set; }

    public string? SignedHeaders { get; private set; }

    public string? Signature { get; private set; }

    /// <summary>The presigned parameters when the query carries X-Amz-Algorithm, otherwise null.</summary>
    public static SigV4Presigned? Find(ReadOnlySpan<char> query)
    {
        if (query.IsEmpty || !query.Contains("X-Amz-Algorithm=", StringComparison.Ordinal))
        {
            return null;
        }

        var found = new SigV4Presigned();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var name = pair[..equals];
            var value = pair[(equals + 1)..];
            if (value.Length > SigV4Authorization.MaxHeaderLength)
            {
                continue;
            }

            var decoded = Uri.UnescapeDataString(value);
            switch (name)
            {
                case "X-Amz-Algorithm": found.Algorithm = decoded; break;
                case "X-Amz-Credential": found.Credential = decoded; break;
                case "X-Amz-Date": found.Date = decoded; break;
                case "X-Amz-Expires": found.Expires = decoded; break;
                case "X-Amz-SignedHeaders": found.SignedHeaders = decoded; break;
                case SignatureParameter: found.Signature = decoded; break;
            }
        }

        return found.Algorithm is null ? null : found;
    }

    /// <summary>AWS's IncompleteSignatureException naming every missing parameter, or null.</summary>
    public SigV4Result? Missing()
    {
        var message = new StringBuilder();
        Require(message, Credential, "X-Amz-Credential");
        Require(message, Signature, SignatureParameter);
        Require(message, SignedHeaders, "X-Amz-SignedHeaders");
        Require(message, Date, "X-Amz-Date");
        Require(message, Expires, "X-Amz-Expires");
        return message.Length == 0 ? null : SigV4Errors.Incomplete(message.Append("Re-examine the query-string parameters.").ToString());
    }

    private static void Require(StringBuilder message, string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            message.Append("AWS query-string parameters must include '").Append(name).Append("'. ");
        }
    }
}
