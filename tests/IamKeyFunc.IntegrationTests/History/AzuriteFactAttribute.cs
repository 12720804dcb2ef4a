using System.Runtime.CompilerServices;
using IamKeyFunc.Testing;
using IamKeyFunc.Testing.Storage;

namespace IamKeyFunc.IntegrationTests.History;

/// <summary>
/// A fact that needs Azurite: skipped with <see cref="Azurite.MissingReason"/> when Azurite is not installed, except
/// under <c>CI=true</c>, where it runs and fails, because CI installs Azurite.
/// </summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute([CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        if (Azurite.Locate() is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = Azurite.MissingReason;
            DisplayName = SkippedTest.DisplayName(Skip, test, file)!;
        }
    }
}
