using IamKeyFunc.Reporting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Configuration;

/// <summary>Bad <c>IamKey:Aws:Discovery</c> settings fail at start, naming the setting.</summary>
public sealed class DiscoveryOptionsValidatorTests
{
    [Fact]
    public void Defaults_ShouldBeValidAndStatic()
    {
        var options = new DiscoveryOptions();

        Assert.True(new DiscoveryOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(DiscoverySource.Static, options.Source);
    }

    [Fact]
    public void Validate_ShouldNameEveryBadSetting()
    {
        var result = new DiscoveryOptionsValidator().Validate(null, new DiscoveryOptions
        {
            Source = DiscoverySource.Organizations,
            RoleArn = "not-an-arn",
            IncludeOrganizationalUnits = "ou-ab12-abcdefgh, OU-BAD",
            ExcludeOrganizationalUnits = "r-ab12,x",
            IncludeAccountTags = "Environment=prod, NoEquals",
            ExcludeAccountIds = "111122223333,12345",
            Endpoint = new Uri("http://organizations.example.com/"),
        });

        Assert.False(result.Succeeded);
        var failures = result.Failures!.ToList();
        foreach (var setting in new[] { "RoleArn", "IncludeOrganizationalUnits", "ExcludeOrganizationalUnits", "IncludeAccountTags", "ExcludeAccountIds", "Endpoint" })
        {
            Assert.Contains(failures, f => f.StartsWith($"IamKey:Aws:Discovery:{setting}", StringComparison.Ordinal));
        }

        Assert.Equal(6, failures.Count);
        Assert.Contains(failures, f => f.Contains("'OU-BAD'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("'NoEquals'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ShouldAcceptTagValuesWithSpaces_AndLoopbackHttp()
    {
        var result = new DiscoveryOptionsValidator().Validate(null, new DiscoveryOptions
        {
            IncludeAccountTags = "Owner=Platform Team;Environment=",
            AccountTagKeys = "Owner, Cost Center",
            Endpoint = new Uri("http://127.0.0.1:5599/"),
            RoleArn = "arn:aws-us-gov:iam::111122223333:role/IamKeyFuncDiscovery",
        });

        Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
        Assert.Equal(["Owner=Platform Team", "Environment="], DiscoveryOptionsValidator.SplitTags("Owner=Platform Team;Environment="));
    }

    [Fact]
    public void Host_ShouldBindTheSectionAndRefuseABadSource()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IamKey:Aws:Discovery:Source"] = "Organizations",
            ["IamKey:Aws:Discovery:ExcludeAccountIds"] = "bad",
        }).Build();
        var services = new ServiceCollection();
        services.AddOptions<DiscoveryOptions>().Bind(configuration.GetSection(DiscoveryOptions.SectionName));
        services.AddSingleton<IValidateOptions<DiscoveryOptions>, DiscoveryOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DiscoveryOptions>>().Value);

        Assert.Contains("IamKey:Aws:Discovery:ExcludeAccountIds contains 'bad'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://organizations.vpce.example.com/", true)]
    [InlineData("http://127.0.0.1:5599/", true)]
    [InlineData("http://[::1]:5599/", true)]
    [InlineData("http://localhost:5599/", true)]
    [InlineData("http://organizations.example.com/", false)]
    [InlineData("https://example.com/?x=1", false)]
    public void EndpointOverride_ShouldBeHttps_UnlessLoopback_AndCarryNoQuery(string uri, bool acceptable)
    {
        var result = new DiscoveryOptionsValidator().Validate(null, new DiscoveryOptions { Endpoint = new Uri(uri) });

        Assert.Equal(acceptable, result.Succeeded);
        if (!acceptable)
        {
            Assert.Contains("IamKey:Aws:Discovery:Endpoint", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
