using IamKeyFunc.AwsEmulator.Scenario;
using IamKeyFunc.IntegrationTests.Collection;
using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Collection;
using IamKeyFunc.Reporting.Errors;
using IamKeyFunc.Testing.Aws;

namespace IamKeyFunc.IntegrationTests.Aws;

/// <summary>The emulator, the hostile front on the IAM endpoint (and STS's, with <c>sts</c>), and the stack pointed at it.</summary>
internal sealed class HostileEnvironment : IAsyncDisposable
{
    private HostileEnvironment(HostileAwsServer hostile, EmulatedAws aws)
    {
        Hostile = hostile;
        Aws = aws;
    }

    public HostileAwsServer Hostile { get; }

    public EmulatedAws Aws { get; }

    public string AccountId => Aws.Scenario.CentralAccount.AccountId;

    public static async Task<HostileEnvironment> StartAsync(
        HostileMode mode, string? operation, Dictionary<string, string?>? settings = null, TimeSpan? emulatorSkewTolerance = null,
        EmulatorScenario? scenario = null, bool sts = false)
    {
        var hostile = await HostileAwsServer.StartAsync();
        settings ??= [];
        settings["IamKey:Aws:IamEndpoint"] = hostile.Endpoint.ToString();
        if (sts)
        {
            settings["IamKey:Aws:StsEndpoint"] = hostile.Endpoint.ToString();
            settings["IamKey:Aws:StsMaxErrorRetry"] = "0";
        }

        settings.TryAdd("IamKey:Collection:MaxAttempts", "2");
        var aws = await EmulatedAws.StartAsync(
            scenario ?? EmulatedAws.Generate(users: 6),
            options =>
            {
                if (emulatorSkewTolerance is { } tolerance)
                {
                    options.MaxClockSkew = tolerance;
                }
            },
            settings);
        hostile.Upstream = aws.Emulator.Endpoint;
        hostile.Mode = mode;
        hostile.Operation = operation;
        return new HostileEnvironment(hostile, aws);
    }

    /// <summary>Far above any bound the settings make predictable: a guard against a hang, never a timing assertion.</summary>
    public static TimeSpan Guard { get; } = TimeSpan.FromSeconds(90);

    public Task<AccountInventory> CollectAsync() =>
        Aws.Collector.CollectAsync(Aws.Session(AccountId), EmulatedAws.NewRun(), FactRequest.KeysOnly).WaitAsync(Guard);

    /// <summary>Collects expecting the account to fail; returns its summary code and message.</summary>
    public async Task<AccountIssue> FailAsync()
    {
        var ex = await Assert.ThrowsAsync<AccountCollectionException>(CollectAsync);
        Assert.IsType<IamException>(ex.InnerException);
        return SafeError.From(ex.InnerException!);
    }

    public async ValueTask DisposeAsync()
    {
        await Aws.DisposeAsync();
        await Hostile.DisposeAsync();
    }
}
