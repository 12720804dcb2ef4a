using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

/// <summary>Success shapes of the six operations, built from the IAM model (<c>iam/service-2.json</c>).</summary>
public class IamXmlTests
{
    private const string ListUsersResult = """
        <Users>
          <member>
            <Path>/division_abc/</Path>
            <UserName>alice</UserName>
            <UserId>AIDAEXAMPLEALICE0001</UserId>
            <Arn>arn:aws:iam::111122223333:user/division_abc/alice</Arn>
            <CreateDate>2024-01-02T03:04:05Z</CreateDate>
            <PasswordLastUsed>2026-09-01T10:00:00.123Z</PasswordLastUsed>
            <PermissionsBoundary>
              <PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType>
              <PermissionsBoundaryArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PermissionsBoundaryArn>
            </PermissionsBoundary>
            <Tags><member><Key>team</Key><Value>core</Value></member></Tags>
          </member>
          <member>
            <CreateDate>2025-06-30T23:00:00+02:00</CreateDate>
            <Arn>arn:aws:iam::111122223333:user/bob</Arn>
            <UserId>AIDAEXAMPLEBOB000002</UserId>
            <UserName>bob</UserName>
            <Path>/</Path>
          </member>
        </Users>
        <IsTruncated>true</IsTruncated>
        <Marker>AAE2OpaqueMarker/+==</Marker>
        """;

    public static TheoryData<string> Namespaces() => new()
    {
        IamWire.Document("ListUsers", ListUsersResult),
        IamWire.Document("ListUsers", ListUsersResult, ns: null),
        IamWire.Document("ListUsers", ListUsersResult, ns: "https://iam.amazonaws.com/doc/2010-05-08/").Replace("<", "<iam:", StringComparison.Ordinal)
            .Replace("<iam:/", "</iam:", StringComparison.Ordinal).Replace(" xmlns=", " xmlns:iam=", StringComparison.Ordinal),
    };

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void ListUsers_ParsesMembersPaginationAndDates_WhateverTheNamespace(string xml)
    {
        var page = IamXml.ParseListUsers(IamXml.Result(IamXml.Load(xml), "ListUsers"));

        Assert.True(page.IsTruncated);
        Assert.Equal("AAE2OpaqueMarker/+==", page.Marker);
        Assert.Equal(2, page.Items.Count);
        var alice = page.Items[0];
        Assert.Equal("alice", alice.UserName);
        Assert.Equal("AIDAEXAMPLEALICE0001", alice.UserId);
        Assert.Equal("arn:aws:iam::111122223333:user/division_abc/alice", alice.Arn);
        Assert.Equal("/division_abc/", alice.Path);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), alice.CreateDate);
        Assert.Equal(new DateTimeOffset(2026, 9, 1, 10, 0, 0, 123, TimeSpan.Zero), alice.PasswordLastUsed);
        var bob = page.Items[1];
        Assert.Equal("bob", bob.UserName);
        Assert.Null(bob.PasswordLastUsed);
        Assert.Equal(new DateTimeOffset(2025, 6, 30, 21, 0, 0, TimeSpan.Zero), bob.CreateDate);
        Assert.Equal(TimeSpan.Zero, bob.CreateDate.Offset);
    }

    [Fact]
    public void ListUsers_LastPage_HasNoMarker()
    {
        var xml = IamWire.Document("ListUsers", "<IsTruncated>false</IsTruncated><Users/>");

        var page = IamXml.ParseListUsers(IamXml.Result(IamXml.Load(xml), "ListUsers"));

        Assert.Empty(page.Items);
        Assert.False(page.IsTruncated);
        Assert.Null(page.Marker);
    }

    [Fact]
    public void ListAccessKeys_ParsesBothKeysWithStatusAndUtcCreateDate()
    {
        var xml = IamWire.Document("ListAccessKeys", """
            <AccessKeyMetadata>
              <member><UserName>alice</UserName><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><Status>Active</Status><CreateDate>2025-01-15T08:30:00Z</CreateDate></member>
              <member><Status>Inactive</Status><CreateDate>2023-03-01T00:00:00.000Z</CreateDate><AccessKeyId>AKIAI44QH8DHBEXAMPLE</AccessKeyId><UserName>alice</UserName></member>
            </AccessKeyMetadata>
            <IsTruncated>false</IsTruncated>
            """);

        var page = IamXml.ParseListAccessKeys(IamXml.Result(IamXml.Load(xml), "ListAccessKeys"));

        Assert.False(page.IsTruncated);
        Assert.Collection(page.Items,
            k =>
            {
                Assert.Equal(new AccessKeyMetadata("alice", "AKIAIOSFODNN7EXAMPLE", "Active", new DateTimeOffset(2025, 1, 15, 8, 30, 0, TimeSpan.Zero)), k);
                Assert.True(k.IsActive);
            },
            k =>
            {
                Assert.Equal("AKIAI44QH8DHBEXAMPLE", k.AccessKeyId);
                Assert.False(k.IsActive);
            });
    }

    [Fact]
    public void GetAccessKeyLastUsed_ParsesAUsedKey()
    {
        var xml = IamWire.Document("GetAccessKeyLastUsed", """
            <AccessKeyLastUsed><Region>us-west-2</Region><LastUsedDate>2015-03-13T10:45:00Z</LastUsedDate><ServiceName>s3</ServiceName></AccessKeyLastUsed>
            <UserName>alice</UserName>
            """);

        var lastUsed = IamXml.ParseGetAccessKeyLastUsed(IamXml.Result(IamXml.Load(xml), "GetAccessKeyLastUsed"));

        Assert.Equal(new AccessKeyLastUsed("alice", new DateTimeOffset(2015, 3, 13, 10, 45, 0, TimeSpan.Zero), "us-west-2", "s3"), lastUsed);
    }

    [Fact]
    public void GetAccessKeyLastUsed_NeverUsed_GivesNulls()
    {
        var xml = IamWire.Document("GetAccessKeyLastUsed",
            "<UserName>bob</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed>");

        var lastUsed = IamXml.ParseGetAccessKeyLastUsed(IamXml.Result(IamXml.Load(xml), "GetAccessKeyLastUsed"));

        Assert.Equal(new AccessKeyLastUsed("bob", null, null, null), lastUsed);
    }

    [Fact]
    public void GetAccessKeyLastUsed_NonRegionalService_KeepsServiceWithoutRegion()
    {
        var xml = IamWire.Document("GetAccessKeyLastUsed",
            "<AccessKeyLastUsed><LastUsedDate>2026-01-01T00:00:00Z</LastUsedDate><ServiceName>iam</ServiceName><Region>N/A</Region></AccessKeyLastUsed>");

        var lastUsed = IamXml.ParseGetAccessKeyLastUsed(IamXml.Result(IamXml.Load(xml), "GetAccessKeyLastUsed"));

        Assert.Null(lastUsed.Region);
        Assert.Equal("iam", lastUsed.ServiceName);
        Assert.NotNull(lastUsed.LastUsedDate);
    }

    [Theory]
    [InlineData("STARTED", CredentialReportState.Started)]
    [InlineData("INPROGRESS", CredentialReportState.InProgress)]
    [InlineData("COMPLETE", CredentialReportState.Complete)]
    public void GenerateCredentialReport_ParsesTheState(string state, CredentialReportState expected)
    {
        var xml = IamWire.Document("GenerateCredentialReport", $"<Description>No report exists. Starting a new report generation task</Description><State>{state}</State>");

        var generation = IamXml.ParseGenerateCredentialReport(IamXml.Result(IamXml.Load(xml), "GenerateCredentialReport"));

        Assert.Equal(expected, generation.State);
        Assert.StartsWith("No report exists", generation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void GetCredentialReport_ParsesContentFormatAndGeneratedTime()
    {
        var xml = IamWire.Document("GetCredentialReport",
            "<Content>dXNlcixhcm4=</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-09-15T11:58:02Z</GeneratedTime>");

        var (content, format, generated) = IamXml.ParseGetCredentialReport(IamXml.Result(IamXml.Load(xml), "GetCredentialReport"));

        Assert.Equal("dXNlcixhcm4=", content);
        Assert.Equal("text/csv", format);
        Assert.Equal(new DateTimeOffset(2026, 9, 15, 11, 58, 2, TimeSpan.Zero), generated);
    }

    [Fact]
    public void ListAccountAliases_ParsesMembers()
    {
        var xml = IamWire.Document("ListAccountAliases", "<IsTruncated>false</IsTruncated><AccountAliases><member>example-prod</member></AccountAliases>");

        var page = IamXml.ParseListAccountAliases(IamXml.Result(IamXml.Load(xml), "ListAccountAliases"));

        Assert.Equal(["example-prod"], page.Items);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public void ListAccountAliases_None_IsEmpty()
    {
        var xml = IamWire.Document("ListAccountAliases", "<AccountAliases/><IsTruncated>false</IsTruncated>");

        var page = IamXml.ParseListAccountAliases(IamXml.Result(IamXml.Load(xml), "ListAccountAliases"));

        Assert.Empty(page.Items);
    }

    [Fact]
    public void Load_RejectsDocumentTypeDefinitions()
    {
        const string xml = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ListUsersResponse>&e;</ListUsersResponse>";

        Assert.Throws<System.Xml.XmlException>(() => IamXml.Load(xml));
    }
}
