using IamKeyFunc.Reporting.Aws.Iam;
using IamKeyFunc.Reporting.Evaluation;

namespace IamKeyFunc.Tests.Aws.Iam;

/// <summary><c>GetAccountAuthorizationDetails</c>, <c>GetAccountSummary</c> and <c>ListUserTags</c> against answers shaped as in the IAM model.</summary>
public sealed class IamClientAuthorizationTests
{
    private const string InlineStarStar = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*:*\", \"Resource\": \"*\"}\n}";
    private const string DenyAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""";
    private const string AllowAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
    private const string Rotator = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:CreateAccessKey","iam:Update*"],"Resource":"*"}]}""";
    private const string ReadOnly = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","s3:Get*"],"Resource":"*"}]}""";

    /// <summary>Page 1: an admin group, a user in it, a user with an inline <c>*:*</c>, a harmless user (documents URL-encoded, as IAM sends them).</summary>
    private static readonly string Page1 = $"""
        <UserDetailList>
          <member>
            <GroupList><member>Admins</member></GroupList>
            <AttachedManagedPolicies/>
            <Path>/</Path><UserName>ops-admin</UserName><UserId>AIDA1111111111EXAMPLE</UserId>
            <Arn>arn:aws:iam::111122223333:user/ops-admin</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>
          </member>
          <member>
            <GroupList/>
            <AttachedManagedPolicies/>
            <UserPolicyList>
              <member><PolicyName>everything</PolicyName><PolicyDocument>{Encoded(InlineStarStar)}</PolicyDocument></member>
            </UserPolicyList>
            <Path>/service/</Path><UserName>legacy-bot</UserName><UserId>AIDA2222222222EXAMPLE</UserId>
            <Arn>arn:aws:iam::111122223333:user/service/legacy-bot</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>
            <Tags><member><Key>Owner</Key><Value>team-a</Value></member></Tags>
          </member>
        </UserDetailList>
        <GroupDetailList>
          <member>
            <GroupId>AGPA3333333333EXAMPLE</GroupId>
            <AttachedManagedPolicies><member><PolicyName>AdministratorAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedManagedPolicies>
            <GroupName>Admins</GroupName><Path>/</Path><Arn>arn:aws:iam::111122223333:group/Admins</Arn>
            <CreateDate>2024-01-01T00:00:00Z</CreateDate><GroupPolicyList/>
          </member>
        </GroupDetailList>
        <RoleDetailList/>
        <Policies/>
        <IsTruncated>true</IsTruncated>
        <Marker>page-2</Marker>
        """;

    private static readonly string Page2 = $"""
        <UserDetailList>
          <member>
            <GroupList><member>Readers</member></GroupList>
            <AttachedManagedPolicies><member><PolicyName>KeyRotator</PolicyName><PolicyArn>arn:aws:iam::111122223333:policy/KeyRotator</PolicyArn></member></AttachedManagedPolicies>
            <Path>/</Path><UserName>rotator</UserName><UserId>AIDA4444444444EXAMPLE</UserId>
            <Arn>arn:aws:iam::111122223333:user/rotator</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>
          </member>
          <member>
            <GroupList><member>Readers</member></GroupList>
            <AttachedManagedPolicies/>
            <Path>/</Path><UserName>analyst</UserName><UserId>AIDA5555555555EXAMPLE</UserId>
            <Arn>arn:aws:iam::111122223333:user/analyst</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>
          </member>
        </UserDetailList>
        <GroupDetailList>
          <member>
            <GroupName>Readers</GroupName><GroupId>AGPA6666666666EXAMPLE</GroupId><Path>/</Path><Arn>arn:aws:iam::111122223333:group/Readers</Arn>
            <AttachedManagedPolicies><member><PolicyName>ReadOnlyAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member></AttachedManagedPolicies>
            <GroupPolicyList><member><PolicyName>deny-everything</PolicyName><PolicyDocument>{Encoded(DenyAll)}</PolicyDocument></member></GroupPolicyList>
          </member>
        </GroupDetailList>
        <Policies>
          <member>
            <PolicyName>KeyRotator</PolicyName><DefaultVersionId>v2</DefaultVersionId><PolicyId>ANPA7777777777EXAMPLE</PolicyId>
            <Path>/</Path><Arn>arn:aws:iam::111122223333:policy/KeyRotator</Arn><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable>
            <PolicyVersionList>
              <member><Document>{Encoded(AllowAll)}</Document><IsDefaultVersion>false</IsDefaultVersion><VersionId>v1</VersionId></member>
              <member><Document>{Encoded(Rotator)}</Document><IsDefaultVersion>true</IsDefaultVersion><VersionId>v2</VersionId></member>
            </PolicyVersionList>
          </member>
          <member>
            <PolicyName>ReadOnlyAccess</PolicyName><DefaultVersionId>v118</DefaultVersionId><Arn>arn:aws:iam::aws:policy/ReadOnlyAccess</Arn>
            <PolicyVersionList><member><Document>{Encoded(ReadOnly)}</Document><IsDefaultVersion>true</IsDefaultVersion><VersionId>v118</VersionId></member></PolicyVersionList>
          </member>
        </Policies>
        <IsTruncated>false</IsTruncated>
        """;

    [Fact]
    public async Task GetAllAccountAuthorizationDetails_ShouldFollowTheMarker_AndAskForUsersGroupsAndBothPolicyKinds()
    {
        var handler = new StubIamHandler(r => IamWire.Ok("GetAccountAuthorizationDetails", r.Form.ContainsKey("Marker") ? Page2 : Page1));
        var client = IamTestClients.Create(handler);

        var details = await client.GetAllAccountAuthorizationDetailsAsync();

        Assert.Equal(2, details.Pages);
        Assert.Equal(["ops-admin", "legacy-bot", "rotator", "analyst"], details.Users.Select(u => u.UserName));
        Assert.Equal(["Admins", "Readers"], details.Groups.Select(g => g.GroupName));
        Assert.Collection(handler.Requests,
            first =>
            {
                Assert.Equal("User", first.Form["Filter.member.1"]);
                Assert.Equal("Group", first.Form["Filter.member.2"]);
                Assert.Equal("LocalManagedPolicy", first.Form["Filter.member.3"]);
                Assert.Equal("AWSManagedPolicy", first.Form["Filter.member.4"]);
                Assert.Equal("1000", first.Form["MaxItems"]);
                Assert.False(first.Form.ContainsKey("Marker"));
            },
            second => Assert.Equal("page-2", second.Form["Marker"]));
        var bot = details.Users[1];
        Assert.Equal("/service/", bot.Path);
        Assert.Equal([new IamTag("Owner", "team-a")], bot.Tags);
        Assert.StartsWith("{\n  \"Version\": \"2012-10-17\"", bot.InlinePolicies.Single().Document, StringComparison.Ordinal);
        Assert.Contains("iam:CreateAccessKey", details.Policies.Single(p => p.PolicyName == "KeyRotator").DefaultDocument, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivilegeAnalyzer_ShouldFindAdminsThroughGroupsAndInlinePolicies_AndLeaveHarmlessUsersClean()
    {
        var client = IamTestClients.Create(new StubIamHandler(r => IamWire.Ok("GetAccountAuthorizationDetails", r.Form.ContainsKey("Marker") ? Page2 : Page1)));

        var privileges = PrivilegeAnalyzer.Analyze(await client.GetAllAccountAuthorizationDetailsAsync());

        Assert.Equal(new UserPrivilege(true, true, "Admins/AdministratorAccess"), privileges["ops-admin"]);
        Assert.Equal(new UserPrivilege(true, true, "everything"), privileges["legacy-bot"]);
        Assert.Equal(new UserPrivilege(false, true, "KeyRotator,Readers/ReadOnlyAccess,Readers/deny-everything"), privileges["rotator"]);
        Assert.Equal(new UserPrivilege(false, false, "Readers/ReadOnlyAccess,Readers/deny-everything"), privileges["analyst"]);
    }

    [Fact]
    public async Task GetAccountSummary_ShouldReadTheRootUsersKeysAndMfaFromTheSummaryMap()
    {
        var client = IamTestClients.Create(new StubIamHandler(_ => IamWire.Ok("GetAccountSummary", """
            <SummaryMap>
              <entry><key>Users</key><value>27</value></entry>
              <entry><key>AccountMFAEnabled</key><value>0</value></entry>
              <entry><key>AccountAccessKeysPresent</key><value>1</value></entry>
              <entry><key>AccessKeysPerUserQuota</key><value>2</value></entry>
            </SummaryMap>
            """)));

        var summary = await client.GetAccountSummaryAsync();

        Assert.True(summary.AccessKeysPresent);
        Assert.False(summary.MfaEnabled);
        Assert.Equal(27, summary.Values["Users"]);
    }

    [Fact]
    public async Task GetAccountSummary_ShouldLeaveTheRootStateUnknown_WhenTheMapOmitsIt()
    {
        var client = IamTestClients.Create(new StubIamHandler(_ => IamWire.Ok("GetAccountSummary", "<SummaryMap/>")));

        var summary = await client.GetAccountSummaryAsync();

        Assert.Null(summary.AccessKeysPresent);
        Assert.Null(summary.MfaEnabled);
    }

    [Fact]
    public async Task ListUserTags_ShouldNameTheUserAndReadEveryPage()
    {
        var handler = new StubIamHandler(r => IamWire.Ok("ListUserTags", r.Form.ContainsKey("Marker")
            ? "<Tags><member><Key>Team</Key><Value>web</Value></member></Tags><IsTruncated>false</IsTruncated>"
            : "<Tags><member><Key>Owner</Key><Value>a@example.com</Value></member></Tags><IsTruncated>true</IsTruncated><Marker>m2</Marker>"));
        var client = IamTestClients.Create(handler);

        var tags = await client.ListUserTagsAsync("ci-deploy");

        Assert.Equal([new IamTag("Owner", "a@example.com"), new IamTag("Team", "web")], tags);
        Assert.All(handler.Requests, r => Assert.Equal("ci-deploy", r.Form["UserName"]));
    }

    [Theory]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""", true, true)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::bucket/*"}]}""", false, false)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}""", false, true)]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"IAM:createaccesskey","Resource":["*"]}]}""", false, true)]
    [InlineData("""{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}""", false, false)]
    [InlineData("""{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}""", false, true)]
    [InlineData("""{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""", false, false)]
    [InlineData("""not json""", false, false)]
    public void Read_ShouldTellAdministratorsAndCredentialManagersApart(string document, bool admin, bool credentials)
    {
        var grant = PrivilegeAnalyzer.Read(document);

        Assert.Equal(admin, grant.HasFlag(PrivilegeAnalyzer.Grant.Admin));
        Assert.Equal(credentials, grant.HasFlag(PrivilegeAnalyzer.Grant.Credentials));
    }

    [Theory]
    [InlineData("%7B%22a%22%3A%20%22b%2Bc%22%7D", """{"a": "b+c"}""")]
    [InlineData("""{"a": "100%"}""", """{"a": "100%"}""")]
    public void DecodeDocument_ShouldUrlDecode_UnlessTheDocumentIsAlreadyJson(string sent, string expected)
    {
        Assert.Equal(expected, IamAuthorizationXml.DecodeDocument(sent));
    }

    private static string Encoded(string document) => Uri.EscapeDataString(document);
}
