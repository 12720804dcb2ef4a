using Amazon.Runtime;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IamKeyFunc.Tests.Aws.Iam;

public class IamClientFactoryTests
{
    [Fact]
    public async Task AddIamClient_BuildsClientsWhoseAttemptsTimeOutAndAreRetried()
    {
        var hanging = new StubIamHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            throw new InvalidOperationException("unreachable");
        });
        var services = new ServiceCollection();
        services.AddIamClient();
        services.AddHttpClient(IamClientFactory.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => hanging);
        services.Configure<CollectionOptions>(o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(50);
            o.MaxAttempts = 2;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            o.RetryMaxDelay = TimeSpan.FromMilliseconds(2);
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IamClientFactory>().Create(
            new SessionAWSCredentials("ASIATEST", "secret", "token"), new Uri("https://iam.amazonaws.com/"), "us-east-1", "111122223333");

        var ex = await Assert.ThrowsAsync<IamException>(() => client.ListUsersAsync());

        Assert.Equal(IamErrorCodes.RequestTimeout, ex.ErrorCode);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(2, hanging.Requests.Count);
        Assert.Equal("111122223333", client.AccountLabel);
        Assert.Contains("111122223333", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_FromAnAccountSession_UsesItsEndpointSigningRegionAndAccountId()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("ListAccountAliases", "<AccountAliases><member>gov-prod</member></AccountAliases><IsTruncated>false</IsTruncated>"));
        var services = new ServiceCollection();
        services.AddIamClient();
        services.AddHttpClient(IamClientFactory.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var session = new AwsAccountSession(
            "444455556666", AwsPartition.UsGov, "arn:aws-us-gov:iam::444455556666:role/IamKeyFuncMember",
            new SessionAWSCredentials("ASIAGOV", "secret", "token"), AwsPartition.UsGov.IamEndpoint, AwsPartition.UsGov.IamSigningRegion);

        var client = provider.GetRequiredService<IamClientFactory>().Create(session);
        var aliases = await client.ListAccountAliasesAsync();

        Assert.Equal(["gov-prod"], aliases);
        Assert.Equal("444455556666", client.AccountLabel);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(AwsPartition.UsGov.IamEndpoint, request.Uri);
        Assert.Contains("/us-gov-west-1/iam/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
    }
}
