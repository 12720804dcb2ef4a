using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Runs.FanOut;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Configuration;

/// <summary><c>IamKey:Run</c> is bound and validated once at start; a bad value names its setting.</summary>
public sealed class RunOptionsTests
{
    [Fact]
    public void Defaults_ShouldBeInProcessAndNeedNoStorage()
    {
        var options = Bind([]);

        Assert.Equal(RunMode.InProcess, options.Mode);
        Assert.Equal(3, options.AccountAttempts);
        Assert.Equal(TimeSpan.FromHours(2), options.MaxRunTime);
        Assert.Equal("iamkey-runs", options.StateContainer);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", null)]
    [InlineData(null, "iamkeyfuncstorage")]
    public void FanOut_WithAConnectionStringOrAnAccountName_ShouldBeValid(string? connectionString, string? accountName)
    {
        var options = Bind(new()
        {
            ["IamKey:Run:Mode"] = "FanOut",
            ["AzureWebJobsStorage"] = connectionString,
            ["AzureWebJobsStorage:accountName"] = accountName,
        });

        Assert.Equal(RunMode.FanOut, options.Mode);
    }

    [Theory]
    [InlineData("IamKey:Run:Mode", "Sideways", "IamKey:Run:Mode")]
    [InlineData("IamKey:Run:AccountAttempts", "0", "IamKey:Run:AccountAttempts must be between 1 and 20.")]
    [InlineData("IamKey:Run:MaxRunTime", "00:00:10", "IamKey:Run:MaxRunTime must be between 00:01:00 and 1.00:00:00.")]
    [InlineData("IamKey:Run:StateContainer", "Runs_State", "IamKey:Run:StateContainer must be a blob container name")]
    public void BadValue_ShouldFailNamingTheSetting(string key, string value, string expected)
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(exception.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void FanOut_WithoutHostStorage_ShouldFailNamingTheModeAndAzureWebJobsStorage()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["IamKey:Run:Mode"] = "FanOut" }));

        var failure = Assert.Single(exception.Failures);
        Assert.StartsWith("IamKey:Run:Mode is FanOut but AzureWebJobsStorage is not set", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void FanOut_WithAMalformedConnectionString_ShouldFailNamingAzureWebJobsStorage()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["IamKey:Run:Mode"] = "FanOut", ["AzureWebJobsStorage"] = "not a connection string" }));

        Assert.StartsWith("AzureWebJobsStorage is not a storage connection string", Assert.Single(exception.Failures), StringComparison.Ordinal);
    }

    private static RunOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddFanOutRuns(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<RunOptions>>().Value;
    }
}
