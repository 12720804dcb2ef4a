using IamKeyFunc.Cli.Hosting;

namespace IamKeyFunc.Tests.Cli;

/// <summary>Where <c>iamkeys</c> keeps its snapshots by default: apart for every IAM endpoint, so an emulator's never mix with real ones.</summary>
public sealed class CliHostTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5599/", "127.0.0.1-5599")]
    [InlineData("http://127.0.0.1:41234", "127.0.0.1-41234")]
    [InlineData("https://IAM.Example.com/", "iam.example.com-443")]
    public void StateDirectory_ShouldBeOneFolderPerIamEndpoint(string endpoint, string folder)
    {
        Assert.Equal(Path.Combine(CliHost.DefaultStateDirectory, "endpoints", folder), CliHost.StateDirectoryFor(endpoint));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void StateDirectory_ShouldBeTheDefault_ForAwsItself(string? endpoint)
    {
        Assert.Equal(CliHost.DefaultStateDirectory, CliHost.StateDirectoryFor(endpoint));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("http://[::1]:5599/")]
    [InlineData("file:///tmp/x/../../y")]
    [InlineData("not a uri / at all")]
    public void StateDirectory_ShouldBeAHashedFolderInsideTheDefault_ForAnyOtherText(string endpoint)
    {
        var folder = CliHost.StateDirectoryFor(endpoint);

        Assert.Equal(Path.Combine(CliHost.DefaultStateDirectory, "endpoints"), Path.GetDirectoryName(folder));
        Assert.Matches("^endpoint-[0-9a-f]{16}$", Path.GetFileName(folder));
    }

    [Fact]
    public void Configuration_ShouldDefaultTheStateDirectoryToTheEndpointsFolder()
    {
        var configuration = CliHost.BuildConfiguration(null, new Dictionary<string, string?> { ["IamKey:Aws:IamEndpoint"] = "http://127.0.0.1:5599/" });

        Assert.Equal(CliHost.StateDirectoryFor("http://127.0.0.1:5599/"), configuration["IamKey:History:StateDirectory"]);
    }
}
