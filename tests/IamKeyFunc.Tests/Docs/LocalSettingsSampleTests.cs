using System.Text.Json.Nodes;
using IamKeyFunc.Tests.Functions;
using Microsoft.Extensions.Configuration;

namespace IamKeyFunc.Tests.Docs;

/// <summary><c>local.settings.sample.json</c> lists every setting, and the values it shows are the real defaults.</summary>
public sealed class LocalSettingsSampleTests
{
    private static readonly JsonObject Values =
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "local.settings.sample.json")))!["Values"]!.AsObject();

    [Theory]
    [MemberData(nameof(Settings.Keys), MemberType = typeof(Settings))]
    public void Sample_ShouldListTheSetting(string key)
    {
        Assert.True(Values.ContainsKey(Settings.EnvironmentName(key)), $"local.settings.sample.json has no {Settings.EnvironmentName(key)}");
    }

    [Fact]
    public void Sample_ShouldListNothingTheAppDoesNotRead()
    {
        var known = Settings.All.Select(s => Settings.EnvironmentName(s.Key))
            .Concat(["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "APPLICATIONINSIGHTS_CONNECTION_STRING", "IAMKEY_SCHEDULE"]);

        Assert.Empty(Values.Select(v => v.Key).Except(known));
    }

    [Fact]
    public void Sample_ShouldShowTheDefaultOfEverySettingThatHasOne()
    {
        var sample = FunctionHostTests.SampleSettings();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(sample).Build();

        foreach (var (type, property, key) in Settings.All)
        {
            var defaultValue = property.GetValue(Activator.CreateInstance(type));
            if (defaultValue is null or "" or System.Collections.ICollection { Count: 0 })
            {
                continue; // required (a <placeholder>), optional without a default (""), or a list that is empty by default
            }

            var bound = configuration.GetSection(key[..key.LastIndexOf(':')]).Get(type)!;
            Assert.True(Equals(defaultValue, property.GetValue(bound)), $"{key}: the sample shows '{sample[key]}' but the default is '{defaultValue}'.");
        }
    }
}
