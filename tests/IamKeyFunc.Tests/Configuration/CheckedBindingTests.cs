using IamKeyFunc.Reporting.Configuration;
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

    private static IOptions<T> Bind<T>(string section, Dictionary<string, string?> settings)
        where T : class
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptionsSection<T>(configuration, section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<T>>();
    }
}
