namespace IamKeyFunc.Testing;

/// <summary>
/// The display name of a test that skips, with its reason in it: <c>dotnet test</c> at its default verbosity prints a
/// skipped test's name but not its reason, so the reason goes into the name (<c>Class.Method [skipped: reason]</c>).
/// The skipping attributes (<c>KustoFact</c>, <c>AzuriteFact</c>, <c>HostFact</c>) take the method and file from the
/// compiler (<c>[CallerMemberName]</c>, <c>[CallerFilePath]</c> on their constructors).
/// </summary>
public static class SkippedTest
{
    /// <summary>The display name for a test skipped for <paramref name="reason"/>, or null (the default name) when it runs.</summary>
    public static string? DisplayName(string? reason, string member, string file) =>
        string.IsNullOrEmpty(reason) ? null : $"{Path.GetFileNameWithoutExtension(file)}.{member} [skipped: {reason}]";
}
