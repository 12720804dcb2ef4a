using System.Net;
using Amazon.Runtime;
using Azure.Core;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.Reporting.Aws.Federation;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Testing.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.IntegrationTests.Aws.Federation;

/// <summary>
/// Managed-identity token → emulator STS → role sessions → signed IAM calls, wired as the app wires them
/// (<c>AddAwsFederation</c> + <c>AddIamClient</c>), with one fake clock shared by the identity endpoint, the emulator
/// and the credentials.
/// </summary>
public sealed class FederationEmulatorTests
{
    [Fact]
    public async Task ManagedIdentityToken_ShouldBeTradedForCentralCredentials_ThatIamAccepts()
    {
        // Arrange
        await using var rig = await FederationRig.StartAsync();
        var central = rig.Sessions.Sessions.Single(s => s.AccountId == rig.CentralAccountId);

        // Act
        var users = await rig.ListUserNamesAsync(central);

        // Assert
        Assert.Equal(rig.Emulator.Scenario.Account(rig.CentralAccountId).Users.Select(u => u.UserName).Order(), users.Order());
        var tokenRequest = Assert.Single(rig.Identity.TokenRequests);
        Assert.Equal(rig.Audience, tokenRequest.Resource);
        Assert.Equal(1, rig.Emulator.Stats.Calls("AssumeRoleWithWebIdentity"));
        Assert.IsType<WebIdentityCredentials>(central.Credentials);
        await rig.AssertNoSecretsAsync();
    }

    [Fact]
    public async Task MemberAccounts_ShouldFailOnlyTheAccountWhoseRoleDeniesTheChain()
    {
        // Arrange: central + three members; the last member's role trusts another principal.
        await using var rig = await FederationRig.StartAsync();
        var denied = rig.Emulator.Scenario.Accounts[^1].AccountId;

        // Act
        var outcomes = new Dictionary<string, object>();
        foreach (var session in rig.Sessions.Sessions)
        {
            try
            {
                outcomes[session.AccountId] = await rig.ListUserNamesAsync(session);
            }
            catch (AwsFederationException ex)
            {
                outcomes[session.AccountId] = ex;
            }
        }

        // Assert
        Assert.Equal(4, outcomes.Count);
        foreach (var account in rig.Emulator.Scenario.Accounts.Where(a => a.AccountId != denied))
        {
            var users = Assert.IsAssignableFrom<IReadOnlyList<string>>(outcomes[account.AccountId]);
            Assert.Equal(account.Users.Select(u => u.UserName).Order(), users.Order());
        }

        var error = Assert.IsType<AwsFederationException>(outcomes[denied]);
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal((int)HttpStatusCode.Forbidden, error.Status);
        Assert.Equal($"arn:aws:iam::{denied}:role/IamKeyFuncMember", error.RoleArn);
        Assert.Contains($"trusts {rig.Emulator.Scenario.CentralRoleArn}", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, rig.Emulator.Stats.Calls("AssumeRoleWithWebIdentity"));
        Assert.Equal(3, rig.Emulator.Stats.Calls("AssumeRole"));
        await rig.AssertNoSecretsAsync(error);
    }

    [Fact]
    public async Task ExpiredSession_ShouldBeRefreshed_WhenTheClockPassesItsExpiry()
    {
        // Arrange
        await using var rig = await FederationRig.StartAsync();
        var member = rig.Sessions.Sessions[1];
        await rig.ListUserNamesAsync(member);
        var old = await member.Credentials.GetCredentialsAsync();

        // Act: an hour and a minute later, both sessions have expired at the emulator.
        rig.Clock.Advance(TimeSpan.FromMinutes(61));
        var oldRejected = await Assert.ThrowsAsync<IamException>(() => rig.ListUserNamesAsync(member, new SessionAWSCredentials(old.AccessKey, old.SecretKey, old.Token)));
        var users = await rig.ListUserNamesAsync(member);
        var fresh = await member.Credentials.GetCredentialsAsync();

        // Assert
        Assert.Equal("ExpiredToken", oldRejected.ErrorCode);
        Assert.Equal(rig.Emulator.Scenario.Account(member.AccountId).Users.Count, users.Count);
        Assert.NotEqual(old.AccessKey, fresh.AccessKey);
        Assert.Equal(2, rig.Emulator.Stats.Calls("AssumeRoleWithWebIdentity"));
        Assert.Equal(2, rig.Emulator.Stats.Calls("AssumeRole"));
        Assert.Equal(2, rig.Identity.TokenRequests.Count);
        Assert.Equal(rig.Clock.GetUtcNow().AddHours(1).UtcDateTime, member.Credentials.Expiration);
        await rig.AssertNoSecretsAsync(oldRejected, old);
    }

    [Fact]
    public async Task SessionsEndedByAws_ShouldBeRefreshedOnce_WhenIamAnswersExpiredToken()
    {
        // Arrange
        await using var rig = await FederationRig.StartAsync();
        var member = rig.Sessions.Sessions[1];
        var client = rig.IamClient(member);
        await client.ListAccountAliasesAsync();
        var old = await member.Credentials.GetCredentialsAsync();

        // Act: AWS ends every session early (e.g. revoked); the next IAM call is refused with ExpiredToken.
        rig.Emulator.ExpireAllSessions();
        var aliases = await client.ListAccountAliasesAsync();

        // Assert: IAM's ExpiredToken dropped the member session; its AssumeRole, signed with the ended central
        // session, got ExpiredToken from STS, which renewed the central session and retried once.
        Assert.Equal([rig.Emulator.Scenario.Account(member.AccountId).Alias!], aliases);
        Assert.Equal(1, client.Stats.CredentialRefreshes);
        Assert.NotEqual(old.AccessKey, (await member.Credentials.GetCredentialsAsync()).AccessKey);
        Assert.Equal(2, rig.Emulator.Stats.Calls("AssumeRoleWithWebIdentity"));
        Assert.Equal(3, rig.Emulator.Stats.Calls("AssumeRole"));
        await rig.AssertNoSecretsAsync();
    }

    [Fact]
    public async Task WrongAudience_ShouldBeExplainedAsAV1TokenAndClientIdProblem()
    {
        // Arrange: the app asks for a token for an audience the OIDC provider does not list.
        const string otherAudience = "api://12345678-1234-1234-1234-123456789012";
        await using var rig = await FederationRig.StartAsync(audience: otherAudience);

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => rig.Sessions.Sessions[0].Credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Assert.Equal((int)HttpStatusCode.BadRequest, error.Status);
        Assert.Contains("Incorrect token audience", error.Message, StringComparison.Ordinal);
        Assert.Contains($"client ID list must contain '{otherAudience}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("v1 tokens", error.Message, StringComparison.Ordinal);
        await rig.AssertNoSecretsAsync(error);
    }

    [Fact]
    public async Task WrongSubject_ShouldPointAtTheTrustPolicysSubCondition()
    {
        // Arrange: the managed identity is not the principal the role trusts.
        await using var rig = await FederationRig.StartAsync(principalId: "00000000-dead-beef-0000-000000000000");

        // Act
        var error = await Assert.ThrowsAsync<AwsFederationException>(() => rig.Sessions.Sessions[0].Credentials.GetCredentialsAsync());

        // Assert
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Contains("sub=00000000-dead-beef-0000-000000000000", error.Message, StringComparison.Ordinal);
        Assert.Contains("':sub' = the managed identity's object (principal) ID", error.Message, StringComparison.Ordinal);
        await rig.AssertNoSecretsAsync(error);
    }

    /// <summary>The emulator, the identity endpoint, the app's services and one fake clock.</summary>
    private sealed class FederationRig : IAsyncDisposable
    {
        private static readonly ScenarioGeneratorSettings Settings = new()
        {
            Accounts = 4,
            UsersPerAccount = 12,
            DenyingMemberAccounts = 1,
            Seed = 11,
        };

        private readonly ServiceProvider _services;
        private readonly LogCapture _logs;

        private FederationRig(FakeTimeProvider clock, FakeManagedIdentityEndpoint identity, AwsEmulatorServer emulator, ServiceProvider services, LogCapture logs, string audience)
        {
            Clock = clock;
            Identity = identity;
            Emulator = emulator;
            _services = services;
            _logs = logs;
            Audience = audience;
        }

        public FakeTimeProvider Clock { get; }

        public FakeManagedIdentityEndpoint Identity { get; }

        public AwsEmulatorServer Emulator { get; }

        public string Audience { get; }

        public string CentralAccountId => Emulator.Scenario.CentralAccount.AccountId;

        public AwsSessionProvider Sessions => _services.GetRequiredService<AwsSessionProvider>();

        public static async Task<FederationRig> StartAsync(string? audience = null, string? principalId = null)
        {
            // The AWS SDK signs AssumeRole with the real clock; start the fake one there and let the emulator
            // accept the drift that advancing it creates (IAM calls are signed with the fake clock).
            var now = TimeProvider.System.GetUtcNow();
            var clock = new FakeTimeProvider(now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerSecond)));
            var identity = await FakeManagedIdentityEndpoint.StartAsync(new FakeManagedIdentityOptions
            {
                TenantId = Settings.TenantId,
                PrincipalId = principalId ?? Settings.Subject,
                TimeProvider = clock,
            });
            var scenario = ScenarioGenerator.Generate(Settings, clock.GetUtcNow());
            var emulator = await AwsEmulatorServer.StartAsync(scenario, new EmulatorOptions { TimeProvider = clock, MaxClockSkew = TimeSpan.FromHours(3) });

            audience ??= Settings.Audience;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["IamKey:Aws:RoleArn"] = scenario.CentralRoleArn,
                ["IamKey:Aws:Audience"] = audience,
                ["IamKey:Aws:MemberAccountIds"] = string.Join(',', scenario.Accounts.Skip(1).Select(a => a.AccountId)),
                ["IamKey:Aws:StsEndpoint"] = emulator.Endpoint.ToString(),
                ["IamKey:Aws:IamEndpoint"] = emulator.Endpoint.ToString(),
                ["IamKey:Aws:StsMaxErrorRetry"] = "1",
                ["IamKey:Aws:StsMaxRetryBackoff"] = "00:00:00.010",
            }).Build();
            var logs = new LogCapture();
            var services = new ServiceCollection()
                .AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
                .AddSingleton<TimeProvider>(clock)
                .AddSingleton<TokenCredential>(identity.CreateCredential())
                .AddAwsFederation(configuration)
                .AddIamClient()
                .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
            return new FederationRig(clock, identity, emulator, services, logs, audience);
        }

        public IamClient IamClient(AwsAccountSession session, AWSCredentials? credentials = null) =>
            _services.GetRequiredService<IamClientFactory>().Create(credentials ?? session.Credentials, session.IamEndpoint, session.IamSigningRegion, session.AccountId);

        public async Task<IReadOnlyList<string>> ListUserNamesAsync(AwsAccountSession session, AWSCredentials? credentials = null)
        {
            var names = new List<string>();
            await foreach (var user in IamClient(session, credentials).ListAllUsersAsync())
            {
                names.Add(user.UserName);
            }

            return names;
        }

        /// <summary>No Entra token, secret key or session token (current, or <paramref name="earlier"/>) in the logs or <paramref name="error"/>.</summary>
        public async Task AssertNoSecretsAsync(Exception? error = null, ImmutableCredentials? earlier = null)
        {
            var secrets = new List<string>(Identity.IssuedTokens);
            if (earlier is not null)
            {
                secrets.Add(earlier.SecretKey);
                secrets.Add(earlier.Token);
            }

            foreach (var session in Sessions.Sessions)
            {
                if (session.Credentials is StsSessionCredentials { Expiration: not null })
                {
                    var credentials = await session.Credentials.GetCredentialsAsync();
                    secrets.Add(credentials.SecretKey);
                    secrets.Add(credentials.Token);
                }
            }

            Assert.NotEmpty(secrets);
            var text = _logs.AllText + error;
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            await Emulator.DisposeAsync();
            await Identity.DisposeAsync();
        }
    }
}
