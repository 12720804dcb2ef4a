using IamKeyFunc.AwsEmulator.Hosting;
using IamKeyFunc.AwsEmulator;
using IamKeyFunc.AwsEmulator.Scenario;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.AwsEmulator;

/// <summary>Shared set-up: a fake clock, a started emulator and a client that can sign.</summary>
internal sealed class EmulatorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 9, 15, 12, 0, 0, TimeSpan.Zero);

    private EmulatorHarness(AwsEmulatorServer emulator, FakeTimeProvider time)
    {
        Emulator = emulator;
        Time = time;
        Client = new EmulatorTestClient(emulator);
    }

    public AwsEmulatorServer Emulator { get; }

    public FakeTimeProvider Time { get; }

    public EmulatorTestClient Client { get; }

    public static EmulatorScenario Generated(int accounts = 2, int users = 20, int seed = 7, int denying = 0) =>
        ScenarioGenerator.Generate(new ScenarioGeneratorSettings { Accounts = accounts, UsersPerAccount = users, Seed = seed, DenyingMemberAccounts = denying }, Start);

    public static async Task<EmulatorHarness> StartAsync(EmulatorScenario? scenario = null, Action<EmulatorOptions>? configure = null, int seed = 1)
    {
        var time = new FakeTimeProvider(Start);
        var options = new EmulatorOptions { TimeProvider = time, Seed = seed };
        configure?.Invoke(options);
        return new EmulatorHarness(await AwsEmulatorServer.StartAsync(scenario ?? Generated(), options), time);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}
