using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

public class IamClientPaginationTests
{
    [Fact]
    public async Task ListAllUsers_FollowsMarkersUntilNotTruncated_EvenThroughShortAndEmptyPages()
    {
        var handler = new StubIamHandler(r => r.Form.GetValueOrDefault("Marker") switch
        {
            null => IamWire.Ok("ListUsers", IamWire.Users(true, "m 1/+=", "u1", "u2")),
            "m 1/+=" => IamWire.Ok("ListUsers", IamWire.Users(true, "m2")),
            "m2" => IamWire.Ok("ListUsers", IamWire.Users(true, "m3", "u3")),
            _ => IamWire.Ok("ListUsers", IamWire.Users(false, null, "u4")),
        });
        var client = IamTestClients.Create(handler);

        var users = new List<string>();
        await foreach (var user in client.ListAllUsersAsync(maxItems: 2))
        {
            users.Add(user.UserName);
        }

        Assert.Equal(["u1", "u2", "u3", "u4"], users);
        Assert.Equal([null, "m 1/+=", "m2", "m3"], handler.Requests.Select(r => r.Form.GetValueOrDefault("Marker")));
        Assert.All(handler.Requests, r => Assert.Equal("2", r.Form["MaxItems"]));
        Assert.Contains("Marker=m%201%2F%2B%3D", handler.Requests[1].BodyText, StringComparison.Ordinal);
        Assert.Equal(4, client.Stats.ApiCalls["ListUsers"]);
    }

    [Fact]
    public async Task ListUsers_SendsMarkerAndMaxItemsAndReturnsOnePage()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("ListUsers", IamWire.Users(true, "next", "u1")));
        var client = IamTestClients.Create(handler);

        var page = await client.ListUsersAsync("prev", 1);

        var form = Assert.Single(handler.Requests).Form;
        Assert.Equal("ListUsers", form["Action"]);
        Assert.Equal("2010-05-08", form["Version"]);
        Assert.Equal("prev", form["Marker"]);
        Assert.Equal("1", form["MaxItems"]);
        Assert.True(page.IsTruncated);
        Assert.Equal("next", page.Marker);
    }

    [Fact]
    public async Task ListAccessKeys_AlwaysNamesTheUserAndReadsAllPages()
    {
        static string Key(string id) => $"<member><UserName>alice</UserName><AccessKeyId>{id}</AccessKeyId><Status>Active</Status><CreateDate>2025-01-01T00:00:00Z</CreateDate></member>";
        var handler = new StubIamHandler(r => r.Form.ContainsKey("Marker")
            ? IamWire.Ok("ListAccessKeys", $"<AccessKeyMetadata>{Key("AKIAEXAMPLEKEY000002")}</AccessKeyMetadata><IsTruncated>false</IsTruncated>")
            : IamWire.Ok("ListAccessKeys", $"<AccessKeyMetadata>{Key("AKIAEXAMPLEKEY000001")}</AccessKeyMetadata><IsTruncated>true</IsTruncated><Marker>k2</Marker>"));
        var client = IamTestClients.Create(handler);

        var keys = await client.ListAccessKeysAsync("alice");

        Assert.Equal(["AKIAEXAMPLEKEY000001", "AKIAEXAMPLEKEY000002"], keys.Select(k => k.AccessKeyId));
        Assert.All(handler.Requests, r => Assert.Equal("alice", r.Form["UserName"]));
        Assert.Equal("k2", handler.Requests[1].Form["Marker"]);
    }

    [Fact]
    public async Task ListAccountAliases_ReadsAllPages()
    {
        var handler = new StubIamHandler(r => r.Form.ContainsKey("Marker")
            ? IamWire.Ok("ListAccountAliases", "<AccountAliases><member>second</member></AccountAliases><IsTruncated>false</IsTruncated>")
            : IamWire.Ok("ListAccountAliases", "<AccountAliases><member>first</member></AccountAliases><IsTruncated>true</IsTruncated><Marker>a2</Marker>"));
        var client = IamTestClients.Create(handler);

        var aliases = await client.ListAccountAliasesAsync();

        Assert.Equal(["first", "second"], aliases);
    }

    [Fact]
    public async Task Truncated_WithoutANewMarker_IsAnInvalidResponseInsteadOfALoop()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("ListUsers", IamWire.Users(true, null, "u1")));
        var client = IamTestClients.Create(handler);

        var ex = await Assert.ThrowsAsync<IamException>(async () =>
        {
            await foreach (var _ in client.ListAllUsersAsync())
            {
            }
        });

        Assert.Equal(IamErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task GetAccessKeyLastUsed_SendsTheKeyIdAndMapsNotApplicableToNull()
    {
        var handler = new StubIamHandler(_ => IamWire.Ok("GetAccessKeyLastUsed",
            "<UserName>alice</UserName><AccessKeyLastUsed><Region>N/A</Region><ServiceName>N/A</ServiceName></AccessKeyLastUsed>"));
        var client = IamTestClients.Create(handler);

        var lastUsed = await client.GetAccessKeyLastUsedAsync("AKIAIOSFODNN7EXAMPLE");

        Assert.Equal("AKIAIOSFODNN7EXAMPLE", Assert.Single(handler.Requests).Form["AccessKeyId"]);
        Assert.Null(lastUsed.LastUsedDate);
        Assert.Null(lastUsed.Region);
        Assert.Null(lastUsed.ServiceName);
    }
}
