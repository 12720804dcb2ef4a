using System.Reflection;
using IamKeyFunc.Reporting.Configuration;

namespace IamKeyFunc.Tests.Docs;

/// <summary>Every setting the app binds, found by reflection: each <c>IamKey:*</c> options class (one per section) and the timer's schedule.</summary>
internal static class Settings
{
    public static IReadOnlyList<(Type Options, PropertyInfo Property, string Key)> All { get; } =
    [
        .. typeof(AwsOptions).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(AwsOptions).Namespace && t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod?.IsPublic == true)
                .Select(p => (t, p, $"{t.GetField("SectionName")!.GetRawConstantValue()}:{p.Name}"))),
    ];

    /// <summary>As app settings and environment variables spell them (<c>IamKey__Aws__RoleArn</c>).</summary>
    public static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    public static IEnumerable<object[]> Keys => All.Select(s => new object[] { s.Key });
}
