namespace Stratus.Tenancy;

/// <summary>
/// The body of a request, read whole to check its signature; endpoints take it from here instead of
/// reading (and copying) it again.
/// </summary>
internal sealed record BufferedRequestBody(byte[] Bytes);
