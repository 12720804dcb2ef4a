using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Tests.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IamKeyFunc.Tests.Configuration;

public sealed class CheckedBindingTests
{
    [Fact]
    public void Options_ShouldReportEveryValueThatDoesNotConvert_NamingTheSettingAndTheAllowedValues_AndKeepTheOthers()
    {
        var options = Bind<CollectionOptions>(CollectionOptions.SectionName, new()
        {
            ["IamKey:Collection:Mode"] = "Nope",
            ["IamKey:Collection:PageSize"] = "lots",
            ["IamKey:Collection:MaxAttempts"] = "5",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.Contains("IamKey:Collection:Mode is 'Nope': expected one of Live, Report.", failure.Failures);
        Assert.Contains("IamKey:Collection:PageSize is 'lots': expected a number (Int32).", failure.Failures);
        Assert.DoesNotContain(failure.Failures, f => f.Contains("MaxAttempts", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_ShouldNotEchoALongValue_ThatMayBeASecretPastedIntoTheWrongSetting()
    {
        var secret = new string('x', 30) + "SECRETSECRETSECRETSECRET";
        var options = Bind<CollectionOptions>(CollectionOptions.SectionName, new() { ["IamKey:Collection:MaxAttempts"] = secret });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.DoesNotContain("SECRETSECRET", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ShouldNameTheSettingInDataAnnotationFailures_FromTheSectionAndTheProperty()
    {
        var options = Bind<FindingsOptions>(FindingsOptions.SectionName, new() { ["IamKey:Findings:RotationDays"] = "0" });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.Equal(["IamKey:Findings:RotationDays must be between 1 and 3650."], failure.Failures);
    }

    [Fact]
    public void Options_ShouldKeepAListsDefault_WhenItsSettingIsAnEmptyPlaceholder()
    {
        var options = Bind<KeyPolicyOptions>(KeyPolicyOptions.SectionName, new() { ["IamKey:Policies"] = "", ["IamKey:Exemptions"] = "" });

        Assert.NotNull(options.Value.Policies);
        Assert.Empty(options.Value.Policies);
    }

    [Theory]
    [InlineData("IamKey:Aws:RoleArnn", "IamKey:Aws:RoleArnn is not a known setting; did you mean RoleArn?")]
    [InlineData("IamKey:Aws:MemberRoleNmae", "IamKey:Aws:MemberRoleNmae is not a known setting; did you mean MemberRoleName?")]
    [InlineData("IamKey:Colection:Mode", "IamKey:Colection is not a known setting; did you mean Collection?")]
    [InlineData("IamKey:Aws:Discovery:Sorce", "IamKey:Aws:Discovery:Sorce is not a known setting; did you mean Source?")]
    [InlineData("IamKey:Aws:Discovry:Source", "IamKey:Aws:Discovry is not a known setting; did you mean Discovery?")]
    [InlineData("IamKey:Polices:0:Name", "IamKey:Polices is not a known setting; did you mean Policies?")]
    [InlineData("IamKey:Policies:0:UserNmae", "IamKey:Policies:0:UserNmae is not a known setting; did you mean UserName?")]
    [InlineData("IamKey:Exemptions:0:Expiry", "IamKey:Exemptions:0:Expiry is not a known setting; did you mean Expires?")]
    [InlineData("IamKey:History:StorageConnectionString", "IamKey:History:StorageConnectionString is not a known setting; the settings of IamKey:History are ContainerName, Enabled, RotationStuckDays, StateDirectory.")]
    public void UnknownKey_AtAnyDepth_ShouldFailStartUpNamingItAndTheClosestKnownKey(string key, string expected)
    {
        var settings = FunctionHostTests.SampleSettings();
        settings.Remove("IamKey:Policies");
        settings.Remove("IamKey:Exemptions");
        settings[key] = "x";

        var failures = StartupFailures(settings);

        Assert.Contains(expected, failures);
    }

    [Fact]
    public void UnknownKeys_ShouldAllBeReportedAtOnce_BesideTheOtherSectionsProblems()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["IamKey:Aws:RoleArnn"] = "arn:aws:iam::111122223333:role/IamKeyFuncReader";
        settings["IamKey:Colection:Mode"] = "Report";
        settings["IamKey:Findings:RotationDays"] = "0";
        settings["IamKey:Delivery:Sink"] = "Wat";

        var failures = StartupFailures(settings);

        Assert.Contains("IamKey:Aws:RoleArnn is not a known setting; did you mean RoleArn?", failures);
        Assert.Contains("IamKey:Colection is not a known setting; did you mean Collection?", failures);
        Assert.Contains("IamKey:Findings:RotationDays must be between 1 and 3650.", failures);
        Assert.Contains("IamKey:Delivery:Sink is 'Wat': expected one of DataCollector, LogsIngestion, None.", failures);
    }

    [Fact]
    public void SettingsOutsideIamKey_ShouldStayFree()
    {
        var settings = FunctionHostTests.SampleSettings();
        settings["AzureWebJobsStorage__accountName"] = "whatever";
        settings["AzureWebJobs.DailyReport.Disabled"] = "true";
        settings["IamKeyExtra:Anything"] = "x";
        settings["WEBSITE_RUN_FROM_PACKAGE"] = "1";

        Assert.Empty(StartupFailures(settings));
    }

    [Fact]
    public void UnknownKeyFarFromEveryKnownOne_ShouldListTheKnownKeys()
    {
        var options = Bind<FindingsOptions>(FindingsOptions.SectionName, new() { ["IamKey:Findings:Banana"] = "1" });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.Equal(
            ["IamKey:Findings:Banana is not a known setting; the settings of IamKey:Findings are NeverUsedGraceDays, RotationDays, UnusedDays, WarnBeforeDays."],
            failure.Failures);
    }

    [Fact]
    public void ListEntries_ShouldNeverBeDropped_AndEveryValueThatDoesNotConvertShouldNameItsFullPath()
    {
        var options = Bind<KeyPolicyOptions>(KeyPolicyOptions.SectionName, new()
        {
            ["IamKey:Policies:0:Name"] = "humans",
            ["IamKey:Policies:0:UserPath"] = "/",
            ["IamKey:Policies:1:Name"] = "ci",
            ["IamKey:Policies:1:UserName"] = "ci-*",
            ["IamKey:Policies:2:Name"] = "services",
            ["IamKey:Policies:2:RotationDays"] = "seven",
            ["IamKey:Policies:2:UserPath"] = "/service/",
            ["IamKey:Exemptions:0:Reference"] = "CHG-1",
            ["IamKey:Exemptions:0:Expires"] = "next tuesday",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);

        Assert.Equal(
            [
                "IamKey:Exemptions:0:Expires is 'next tuesday': expected a date and time such as 2026-12-31T00:00:00Z.",
                "IamKey:Policies:2:RotationDays is 'seven': expected a number (Int32).",
            ],
            failure.Failures);
        var bound = new KeyPolicyOptions();
        var problems = new List<string>();
        var entries = new Dictionary<string, string?> { ["IamKey:Policies:0:Name"] = "a", ["IamKey:Policies:1:RotationDays"] = "x", ["IamKey:Policies:2:Name"] = "c" };
        StrictBinder.BindInto(bound, SettingNode.Of(Configuration(entries).GetSection("IamKey"), null), SettingPath.Section("IamKey"), problems);
        Assert.Equal(["a", null, "c"], bound.Policies.Select(p => p.Name));
    }

    [Theory]
    [InlineData("IamKey:Policies:1:Name", "IamKey:Policies:1 is missing: the entries of IamKey:Policies are numbered from 0 without gaps, and IamKey:Policies:2 comes after IamKey:Policies:0.")]
    [InlineData("IamKey:Policies:ci:Name", "IamKey:Policies:ci is not an entry of the list IamKey:Policies: entries are numbered 0, 1, 2, … (did you mean IamKey:Policies:0:ci?).")]
    [InlineData("IamKey:Policies:01:Name", "IamKey:Policies:01 is not an entry of the list IamKey:Policies: entries are numbered 0, 1, 2, … (did you mean IamKey:Policies:0:01?).")]
    public void ListEntries_ShouldBeNumberedFromZeroWithoutGaps(string replacedKey, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["IamKey:Policies:0:Name"] = "a",
            ["IamKey:Policies:0:UserPath"] = "/a/",
            ["IamKey:Policies:2:Name"] = "c",
            ["IamKey:Policies:2:UserPath"] = "/c/",
        };
        if (replacedKey != "IamKey:Policies:1:Name")
        {
            settings.Remove("IamKey:Policies:2:Name");
            settings.Remove("IamKey:Policies:2:UserPath");
            settings[replacedKey] = "b";
        }

        var failure = Assert.Throws<OptionsValidationException>(() => Bind<KeyPolicyOptions>(KeyPolicyOptions.SectionName, settings).Value);

        Assert.Contains(expected, failure.Failures);
    }

    [Theory]
    [InlineData("IamKey:Policies", "ci", "IamKey:Policies is 'ci': expected a list, numbered from 0 (IamKey:Policies:0, IamKey:Policies:1, …), not a value.")]
    [InlineData("IamKey:Policies:0", "ci", "IamKey:Policies:0 is 'ci': expected a section of settings such as IamKey:Policies:0:AccountIds, not a value.")]
    [InlineData("IamKey:Policies:0:UserName:0", "ci-*", "IamKey:Policies:0:UserName must be a single value (expected a value of type String), but has settings below it, such as IamKey:Policies:0:UserName:0.")]
    [InlineData("IamKey:Delivery:Sink", "1", "IamKey:Delivery:Sink is '1': expected one of DataCollector, LogsIngestion, None.")]
    [InlineData("IamKey:Exemptions", "CHG-1", "IamKey:Exemptions is 'CHG-1': expected a list, numbered from 0 (IamKey:Exemptions:0, IamKey:Exemptions:1, …), not a value.")]
    public void ValueWhereASectionGoes_OrSectionWhereAValueGoes_ShouldFailNamingTheSetting(string key, string value, string expected)
    {
        // Beside an entry, so that a value where a list goes is not mistaken for the empty placeholder.
        var settings = new Dictionary<string, string?> { [key] = value, ["IamKey:Exemptions:0:Reason"] = "r" };
        var configuration = Configuration(settings);
        var services = new ServiceCollection();
        services.AddOptionsSection<KeyPolicyOptions>(configuration, KeyPolicyOptions.SectionName);
        services.AddOptionsSection<DeliveryOptions>(configuration, DeliveryOptions.SectionName);
        using var provider = services.BuildServiceProvider();

        var failures = Failures(() => _ = provider.GetRequiredService<IOptions<KeyPolicyOptions>>().Value)
            .Concat(Failures(() => _ = provider.GetRequiredService<IOptions<DeliveryOptions>>().Value));

        Assert.Contains(expected, failures);
    }

    [Fact]
    public void SingleValueThatAlsoHasKeysBelowIt_ShouldFail_EvenInAListEntry_AndAcrossProviders()
    {
        // The value comes from one source (a settings file), the stray key below it from another (the environment).
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IamKey:Policies:0:Name"] = "ci", ["IamKey:Policies:0:UserName"] = "ci-*" })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IamKey:Policies:0:UserName"] = "ci-*", ["IamKey:Policies:0:UserName:Except"] = "ci-admin" })
            .Build();
        var problems = new List<string>();

        StrictBinder.BindInto(new KeyPolicyOptions(), SettingNode.Of(configuration.GetSection("IamKey"), configuration), SettingPath.Section("IamKey"), problems);

        Assert.Equal(
            ["IamKey:Policies:0:UserName must be a single value (expected a value of type String), but has settings below it, such as IamKey:Policies:0:UserName:Except."],
            problems);
    }

    [Fact]
    public void SameKeyInSeveralProviders_ShouldBindOnceWithoutAProblem()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IamKey:Policies:0:Name"] = "ci", ["IamKey:Policies:0:RotationDays"] = "30" })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["iamkey:policies:0:rotationdays"] = "7" })
            .Build();
        var options = new KeyPolicyOptions();
        var problems = new List<string>();

        StrictBinder.BindInto(options, SettingNode.Of(configuration.GetSection("IamKey"), configuration), SettingPath.Section("IamKey"), problems);

        Assert.Empty(problems);
        Assert.Equal(("ci", 7), (options.Policies.Single().Name, options.Policies.Single().RotationDays));
    }

    [Fact]
    public void EmptyPlaceholderOfTheSample_ShouldStandBesideTheEntriesThatAnotherSourceGives()
    {
        // local.settings.sample.json has IamKey__Policies=""; the entries come from the environment or a --config file.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IamKey:Policies"] = "", ["IamKey:Exemptions"] = "" })
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IamKey:Policies:0:Name"] = "ci", ["IamKey:Policies:0:UserName"] = "ci-*" })
            .Build();
        var options = new KeyPolicyOptions();
        var problems = new List<string>();

        StrictBinder.BindInto(options, SettingNode.Of(configuration.GetSection("IamKey"), configuration), SettingPath.Section("IamKey"), problems);

        Assert.Empty(problems);
        Assert.Equal("ci-*", options.Policies.Single().UserName);
        Assert.Empty(options.Exemptions);
    }

    [Fact]
    public void ThousandsOfListEntries_ShouldBeBoundWithAFewListings_NotOnePerEntry()
    {
        // Each listing of a section's children scans every key of every provider: one per entry made binding 5,000
        // policies quadratic. A stray key still costs the listing of its own entry, which is how it gets named.
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < 3000; i++)
        {
            settings[$"IamKey:Policies:{i}:Name"] = $"p{i}";
            settings[$"IamKey:Policies:{i}:UserName"] = $"user-{i}-*";
            settings[$"IamKey:Policies:{i}:RotationDays"] = "30";
        }

        settings["IamKey:Policies:2999:UserNmae"] = "typo";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IamKey:Policies:7:RotationDays"] = "7" })
            .Build();
        var options = new KeyPolicyOptions();
        var problems = new List<string>();
        var node = SettingNode.Of(configuration.GetSection("IamKey"), configuration);

        StrictBinder.BindInto(options, node, SettingPath.Section("IamKey"), problems);

        Assert.Equal(["IamKey:Policies:2999:UserNmae is not a known setting; did you mean UserName?"], problems);
        Assert.Equal(3000, options.Policies.Count);
        Assert.Equal((7, "user-7-*"), (options.Policies[7].RotationDays, options.Policies[7].UserName));
        Assert.InRange(node.Listings, 1, 5);
    }

    [Fact]
    public void EveryOptionsClass_ShouldBeBindable_FromTheSampleSettings()
    {
        Assert.Empty(StartupFailures(FunctionHostTests.SampleSettings()));
    }

    /// <summary>Every failure of the composition root's start-up validation, as the hosts run it.</summary>
    internal static IReadOnlyList<string> StartupFailures(IReadOnlyDictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Azure.Core.TokenCredential>(new Azure.Identity.ClientSecretCredential("tenant", "client", "not-used"));
        services.AddIamKeyReporting(Configuration(settings));
        using var provider = services.BuildServiceProvider();
        return Failures(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    private static List<string> Failures(Action action)
    {
        try
        {
            action();
            return [];
        }
        catch (AggregateException aggregate)
        {
            return [.. aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)];
        }
        catch (OptionsValidationException validation)
        {
            return [.. validation.Failures];
        }
    }

    private static IConfigurationRoot Configuration(IReadOnlyDictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static IOptions<T> Bind<T>(string section, Dictionary<string, string?> settings)
        where T : class
    {
        var configuration = Configuration(settings);
        var services = new ServiceCollection();
        services.AddOptionsSection<T>(configuration, section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<T>>();
    }
}
