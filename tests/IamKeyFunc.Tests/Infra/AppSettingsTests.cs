using System.Reflection;
using System.Text.RegularExpressions;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Infra;

/// <summary>The Function App settings in the Bicep against the options the app binds.</summary>
public sealed partial class AppSettingsTests
{
    /// <summary>
    /// Options the Bicep deliberately does not set, because the app's default is right for a deployment in Azure.
    /// Anything else the app binds must have an app setting in infra/azure/main.bicep.
    /// </summary>
    private static readonly Dictionary<string, string> SafeDefaults = new()
    {
        // In Azure the source credentials are always the managed identity.
        ["IamKey__Aws__CredentialSource"] = "AzureIdentity is the only source inside Azure",
        ["IamKey__Aws__AllowInsecureHttpEndpoints"] = "a deployment never sends the token over plain http",
        ["IamKey__Aws__Profile"] = "only with CredentialSource AwsSdkChain (local runs)",
        ["IamKey__Collection__AccountTimeout"] = "10 minutes bounds one account; the Functions host's own timeout bounds the run",
        ["IamKey__Collection__MaxReportAge"] = "5 hours: IAM regenerates the report after 4",
        // Endpoints: the partition of RoleArn picks the public STS and IAM endpoints; overrides are for VPC endpoints and emulators.
        ["IamKey__Aws__StsRegion"] = "default: the partition's home region",
        ["IamKey__Aws__StsEndpoint"] = "default: the regional STS endpoint of the partition",
        ["IamKey__Aws__IamEndpoint"] = "default: the partition's global IAM endpoint",
        ["IamKey__Aws__Discovery__Endpoint"] = "default: the partition's global Organizations endpoint",
        ["IamKey__Aws__SessionNamePrefix"] = "cosmetic (CloudTrail session name)",
        ["IamKey__Aws__SessionDurationSeconds"] = "3600 fits the role's MaxSessionDuration and the chaining cap",
        ["IamKey__Aws__CredentialRefreshWindow"] = "tuning (refresh STS sessions before they expire)",
        ["IamKey__Aws__StsTimeout"] = "tuning",
        ["IamKey__Aws__StsMaxErrorRetry"] = "tuning",
        ["IamKey__Aws__StsMaxRetryBackoff"] = "tuning",
        // Tuning knobs with defaults sized for IAM's throttling limits.
        ["IamKey__Collection__MaxParallelAccounts"] = "tuning",
        ["IamKey__Collection__MaxConcurrentRequestsPerAccount"] = "tuning",
        ["IamKey__Collection__MaxAttempts"] = "tuning",
        ["IamKey__Collection__RetryBaseDelay"] = "tuning",
        ["IamKey__Collection__RetryMaxDelay"] = "tuning",
        ["IamKey__Collection__CredentialReportTimeout"] = "tuning",
        ["IamKey__Collection__RequestTimeout"] = "tuning",
        ["IamKey__Collection__PageSize"] = "tuning (1000, IAM's maximum, means the fewest ListUsers calls)",
        ["IamKey__Delivery__MaxAttempts"] = "tuning",
        ["IamKey__Delivery__RetryBaseDelay"] = "tuning",
        ["IamKey__Delivery__RetryMaxDelay"] = "tuning",
        ["IamKey__Delivery__RequestTimeout"] = "tuning",
        ["IamKey__Delivery__RunTimeBudget"] = "default: 90 % of host.json's functionTimeout",
        ["IamKey__StateStorage__MaxAttempts"] = "tuning",
        ["IamKey__StateStorage__RetryBaseDelay"] = "tuning",
        ["IamKey__StateStorage__RetryMaxDelay"] = "tuning",
        ["IamKey__StateStorage__RequestTimeout"] = "tuning",
        ["IamKey__DataCollector__KeyCacheDuration"] = "tuning",
        // Public-cloud endpoints derived from the workspace ID / the cloud; set them by hand in sovereign clouds.
        ["IamKey__DataCollector__Endpoint"] = "default: https://{WorkspaceId}.ods.opinsights.azure.com",
        ["IamKey__LogsIngestion__Audience"] = "default: https://monitor.azure.com",
        // Lists: the Bicep sets them as indexed settings (IamKey__Policies__0__Name, ...) from keyPolicies and keyExemptions.
        ["IamKey__Policies"] = "indexed settings IamKey__Policies__N__Field from the keyPolicies parameter",
        ["IamKey__Exemptions"] = "indexed settings IamKey__Exemptions__N__Field from the keyExemptions parameter",
        ["IamKey__PolicyFile"] = "a file on the host; in Azure the policies come from keyPolicies and keyExemptions",
        // Change events: on by default, with the snapshots in the host storage the Bicep already wires (AzureWebJobsStorage__*).
        ["IamKey__History__Enabled"] = "on by default",
        ["IamKey__History__RotationStuckDays"] = "policy default (7 days)",
        ["IamKey__History__StateDirectory"] = "iamkeys only: the Function keeps its snapshots in AzureWebJobsStorage",
        ["IamKey__History__ContainerName"] = "default container in the host storage account",
        ["IamKey__Run__AccountAttempts"] = "matches host.json's maxDequeueCount (3)",
        ["IamKey__Run__MaxRunTime"] = "2 hours before a dead run's lock is broken",
        ["IamKey__Run__StateContainer"] = "default container in the host storage account",
        // Local debugging against the loopback AWS emulator only; the Bicep must never set it (checked below).
        ["IamKey__Identity__DevelopmentToken"] = "func start / iamkeys against the emulator, never in Azure",
    };

    /// <summary>Settings Flex Consumption rejects or that would bring a storage key back.</summary>
    private static readonly string[] ForbiddenSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
        "WEBSITE_NODE_DEFAULT_VERSION", "AzureWebJobsStorage'", "AzureWebJobsStorage\"", "APPINSIGHTS_INSTRUMENTATIONKEY",
    ];

    [Fact]
    public void EveryOption_ShouldHaveAnAppSettingOrASafeDefault()
    {
        // Arrange
        var settings = BicepAppSettings();

        // Act
        var missing = OptionSettings().Where(s => !settings.Contains(s) && !SafeDefaults.ContainsKey(s)).ToList();

        // Assert
        Assert.True(missing.Count == 0,
            "Options without an app setting in infra/azure/main.bicep (add one, or list them in SafeDefaults with the reason): " +
            string.Join(", ", missing));
    }

    [Fact]
    public void SafeDefaults_ShouldNameOnlyOptionsThatExistAndThatTheBicepDoesNotSet()
    {
        // Arrange
        var options = OptionSettings().ToHashSet();
        var settings = BicepAppSettings();

        // Act
        var stale = SafeDefaults.Keys.Where(k => !options.Contains(k) || settings.Contains(k)).ToList();

        // Assert
        Assert.Empty(stale);
    }

    [Fact]
    public void BicepAppSettings_ShouldOnlyNameOptionsThatExist()
    {
        // Arrange
        var options = OptionSettings().ToHashSet();

        // Act
        var unknown = BicepAppSettings().Where(s => !options.Contains(s)).ToList();

        // Assert
        Assert.Empty(unknown);
    }

    [Fact]
    public void FunctionApp_ShouldSetTheScheduleAndIdentityBasedHostSettingsOnly()
    {
        // Arrange
        var template = InfraFiles.ReadText("infra/azure/main.json");

        // Act
        var forbidden = ForbiddenSettings.Where(s => template.Contains(s, StringComparison.Ordinal)).ToList();

        // Assert
        Assert.Empty(forbidden);
        Assert.Contains("IAMKEY_SCHEDULE", template, StringComparison.Ordinal);
        Assert.Equal("0 0 6 * * *", (string?)InfraFiles.MainTemplate["parameters"]!["schedule"]!["defaultValue"]);
        foreach (var setting in new[] { "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING" })
        {
            Assert.Contains(setting, template, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("rotationDays", typeof(FindingsOptions), nameof(FindingsOptions.RotationDays))]
    [InlineData("unusedDays", typeof(FindingsOptions), nameof(FindingsOptions.UnusedDays))]
    [InlineData("neverUsedGraceDays", typeof(FindingsOptions), nameof(FindingsOptions.NeverUsedGraceDays))]
    [InlineData("warnBeforeDays", typeof(FindingsOptions), nameof(FindingsOptions.WarnBeforeDays))]
    [InlineData("privilegeScan", typeof(CollectionOptions), nameof(CollectionOptions.PrivilegeScan))]
    [InlineData("runMode", typeof(RunOptions), nameof(RunOptions.Mode))]
    [InlineData("collectionMode", typeof(CollectionOptions), nameof(CollectionOptions.Mode))]
    [InlineData("keyIdFormat", typeof(CollectionOptions), nameof(CollectionOptions.KeyIdFormat))]
    [InlineData("sinkMode", typeof(DeliveryOptions), nameof(DeliveryOptions.Sink))]
    [InlineData("keyRecordTable", typeof(DeliveryOptions), nameof(DeliveryOptions.KeyRecordTable))]
    [InlineData("runSummaryTable", typeof(DeliveryOptions), nameof(DeliveryOptions.RunSummaryTable))]
    [InlineData("workspaceKeySecretName", typeof(DataCollectorOptions), nameof(DataCollectorOptions.WorkspaceKeySecretName))]
    [InlineData("awsMemberRoleName", typeof(AwsOptions), nameof(AwsOptions.MemberRoleName))]
    [InlineData("awsIncludeCentralAccount", typeof(AwsOptions), nameof(AwsOptions.IncludeCentralAccount))]
    public void BicepParameterDefault_ShouldEqualTheOptionDefault(string parameter, Type options, string property)
    {
        // Arrange
        var expected = options.GetProperty(property)!.GetValue(Activator.CreateInstance(options))!.ToString();

        // Act
        var actual = InfraFiles.MainTemplate["parameters"]![parameter]!["defaultValue"]!.ToString();

        // Assert
        Assert.Equal(expected, actual, ignoreCase: true);
    }

    [Fact]
    public void BicepSinkModes_ShouldBeSinksTheAppKnows()
    {
        // Arrange
        var allowed = InfraFiles.MainTemplate["parameters"]!["sinkMode"]!["allowedValues"]!.AsArray().Select(v => (string)v!);

        // Act / Assert
        Assert.All(allowed, v => Assert.True(Enum.TryParse<SinkMode>(v, out _), $"{v} is not a SinkMode"));
    }

    /// <summary>
    /// Every option as its app-setting name: section <c>IamKey:Aws</c> and property <c>RoleArn</c> is
    /// <c>IamKey__Aws__RoleArn</c>. The options classes are those in the Options namespace with a <c>SectionName</c>.
    /// </summary>
    private static IEnumerable<string> OptionSettings() =>
        typeof(AwsOptions).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(AwsOptions).Namespace && t.IsClass)
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(o => o.Section is not null)
            .SelectMany(o => o.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite)
                .Select(p => $"{o.Section!.Replace(":", "__", StringComparison.Ordinal)}__{p.Name}"));

    /// <summary>The <c>IamKey__*</c> app setting names in the compiled template.</summary>
    private static HashSet<string> BicepAppSettings() =>
        [.. SettingNameRegex().Matches(InfraFiles.ReadText("infra/azure/main.json")).Select(m => m.Value)];

    [GeneratedRegex(@"IamKey(?:__[A-Za-z]+){2,}")]
    private static partial Regex SettingNameRegex();
}
