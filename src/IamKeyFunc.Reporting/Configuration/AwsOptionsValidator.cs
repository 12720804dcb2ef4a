using Microsoft.Extensions.Options;

namespace IamKeyFunc.Reporting.Configuration;

/// <summary>
/// Cross-field checks of <c>IamKey:Aws</c> that data annotations cannot express: the member lists, one partition for
/// every account, the STS region's partition, endpoint overrides and the STS timing knobs. Each message names the setting.
/// </summary>
public sealed class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        // An unparsable RoleArn is already reported by its [RegularExpression]; the member checks need it.
        if (AwsArn.TryParseRole(options.RoleArn, out var central))
        {
            AwsRoleTarget.Resolve(options, out var targetErrors);
            errors.AddRange(targetErrors);
            CheckStsRegion(options, AwsPartition.FromName(central!.Partition), errors);
        }

        CheckEndpoint(options.StsEndpoint, "IamKey:Aws:StsEndpoint", errors);
        CheckEndpoint(options.IamEndpoint, "IamKey:Aws:IamEndpoint", errors);
        CheckRange(options.CredentialRefreshWindow, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30), "IamKey:Aws:CredentialRefreshWindow", errors);
        CheckRange(options.StsTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), "IamKey:Aws:StsTimeout", errors);
        CheckRange(options.StsMaxRetryBackoff, TimeSpan.Zero, TimeSpan.FromMinutes(1), "IamKey:Aws:StsMaxRetryBackoff", errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckStsRegion(AwsOptions options, AwsPartition partition, List<string> errors)
    {
        if (string.IsNullOrEmpty(options.StsRegion))
        {
            return;
        }

        var regionPartition = options.StsRegion.StartsWith("cn-", StringComparison.Ordinal) ? AwsPartition.China
            : options.StsRegion.StartsWith("us-gov-", StringComparison.Ordinal) ? AwsPartition.UsGov
            : AwsPartition.Aws;
        if (regionPartition != partition)
        {
            errors.Add($"IamKey:Aws:StsRegion '{options.StsRegion}' is in partition {regionPartition.Name}, but IamKey:Aws:RoleArn is in partition {partition.Name}.");
        }
    }

    private static void CheckEndpoint(Uri? endpoint, string setting, List<string> errors)
    {
        if (endpoint is not null && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add($"{setting} '{endpoint}' must be an absolute http(s) URL.");
        }
    }

    private static void CheckRange(TimeSpan value, TimeSpan min, TimeSpan max, string setting, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add($"{setting} is {value}: expected between {min} and {max}.");
        }
    }
}
