using Microsoft.AspNetCore.Http;

namespace Stratus.Tenancy.SigV4;

/// <summary>
/// What a signature covers, as it arrived: the method, the request target exactly as sent (path and query,
/// still percent-encoded, because clients sign the encoded form), the headers and the whole body.
/// </summary>
public readonly record struct SigV4Request(string Method, string RawTarget, IHeaderDictionary Headers, ReadOnlyMemory<byte> Body);
