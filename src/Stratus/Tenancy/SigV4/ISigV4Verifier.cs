namespace Stratus.Tenancy.SigV4;

/// <summary>Checks AWS Signature Version 4 on a request, as the AWS CLI and SDKs sign it.</summary>
public interface ISigV4Verifier
{
    /// <param name="request">The request as it arrived.</param>
    /// <param name="service">The signing name the scope must carry: <c>lambda</c>, <c>sqs</c>.</param>
    SigV4Result Verify(in SigV4Request request, string service);
}
