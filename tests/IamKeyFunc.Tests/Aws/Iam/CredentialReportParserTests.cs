using System.Text;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

public class CredentialReportParserTests
{
    internal const string Header =
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,"
        + "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
        + "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,"
        + "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    internal static readonly string SampleCsv = string.Join("\r\n",
        Header,
        "<root_account>,arn:aws:iam::111122223333:root,2014-08-29T19:48:47+00:00,not_supported,2026-09-01T08:00:00+00:00,not_supported,not_supported,true,"
            + "true,2020-05-01T00:00:00+00:00,2026-09-10T12:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "alice,arn:aws:iam::111122223333:user/alice,2024-01-02T03:04:05+00:00,TRUE,no_information,2024-01-02T03:05:00+00:00,N/A,FALSE,"
            + "TRUE,2025-01-15T08:30:00+00:00,2026-09-14T22:10:00+00:00,eu-west-1,ec2,true,2026-03-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A",
        "bob,arn:aws:iam::111122223333:user/bob,2025-06-30T21:00:00+00:00,false,N/A,N/A,N/A,false,"
            + "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "\"carol,the,admin\",\"arn:aws:iam::111122223333:user/ops/carol\",2025-02-02T02:02:02+00:00,true,2026-09-15T00:00:00+00:00,N/A,N/A,true,"
            + "false,2024-12-01T00:00:00+00:00,2025-01-01T00:00:00+00:00,N/A,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "");

    private static readonly DateTimeOffset Generated = new(2026, 9, 15, 11, 58, 2, TimeSpan.Zero);

    [Fact]
    public void Parse_KeysRowsByUserAndKeepsGeneratedTime()
    {
        var report = CredentialReportParser.ParseCsv(SampleCsv, Generated);

        Assert.Equal(Generated, report.GeneratedTime);
        Assert.Equal(["<root_account>", "alice", "bob", "carol,the,admin"], report.Rows.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_RootRow_HasNotSupportedPasswordFieldsAsNullAndItsKeys()
    {
        var root = CredentialReportParser.ParseCsv(SampleCsv, Generated).RootAccount;

        Assert.NotNull(root);
        Assert.True(root.IsRootAccount);
        Assert.Equal("arn:aws:iam::111122223333:root", root.Arn);
        Assert.Null(root.PasswordEnabled);
        Assert.Null(root.PasswordLastChanged);
        Assert.Null(root.PasswordNextRotation);
        Assert.Equal(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero), root.PasswordLastUsed);
        Assert.True(root.MfaActive);
        Assert.True(root.AccessKey1.Active);
        Assert.True(root.AccessKey1.HasKey);
        Assert.Equal(new DateTimeOffset(2026, 9, 10, 12, 0, 0, TimeSpan.Zero), root.AccessKey1.LastUsedDate);
        Assert.False(root.AccessKey2.HasKey);
    }

    [Fact]
    public void Parse_UserWithBothKeySlots_ReadsEachSlot()
    {
        var alice = CredentialReportParser.ParseCsv(SampleCsv, Generated).Rows["alice"];

        Assert.False(alice.IsRootAccount);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), alice.UserCreationTime);
        Assert.True(alice.PasswordEnabled);
        Assert.Null(alice.PasswordLastUsed); // no_information
        Assert.False(alice.MfaActive);
        Assert.Equal(
            new CredentialReportAccessKey(1, true, new DateTimeOffset(2025, 1, 15, 8, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 9, 14, 22, 10, 0, TimeSpan.Zero), "eu-west-1", "ec2"),
            alice.AccessKey1);
        Assert.Equal(new CredentialReportAccessKey(2, true, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), null, null, null), alice.AccessKey2);
        Assert.Equal([1, 2], alice.AccessKeys.Select(k => k.Slot));
    }

    [Fact]
    public void Parse_UserWithoutKeysOrPassword_HasNotApplicableAsNull()
    {
        var bob = CredentialReportParser.ParseCsv(SampleCsv, Generated).Rows["bob"];

        Assert.False(bob.PasswordEnabled);
        Assert.Null(bob.PasswordLastUsed);
        Assert.False(bob.AccessKey1.HasKey);
        Assert.False(bob.AccessKey2.HasKey);
        Assert.Null(bob.AccessKey1.LastRotated);
        Assert.Null(bob.AccessKey1.LastUsedService);
    }

    [Fact]
    public void Parse_QuotedFieldsAndLowercaseBooleans_AreRead()
    {
        var carol = CredentialReportParser.ParseCsv(SampleCsv, Generated).Rows["carol,the,admin"];

        Assert.Equal("arn:aws:iam::111122223333:user/ops/carol", carol.Arn);
        Assert.True(carol.PasswordEnabled);
        Assert.True(carol.MfaActive);
        Assert.False(carol.AccessKey1.Active);
        Assert.True(carol.AccessKey1.HasKey); // inactive key that still has a rotation date
        Assert.Null(carol.AccessKey1.LastUsedRegion); // non-regional service
        Assert.Equal("s3", carol.AccessKey1.LastUsedService);
    }

    [Fact]
    public void Parse_LooksColumnsUpByHeaderName()
    {
        const string csv = "arn,mfa_active,extra_column,user,access_key_2_active,access_key_2_last_rotated\n"
            + "arn:aws:iam::111122223333:user/dave,TRUE,\"quoted \"\"x\"\"\",dave,true,2026-01-01T00:00:00Z\n";

        var dave = CredentialReportParser.ParseCsv(csv, Generated).Rows["dave"];

        Assert.Equal("arn:aws:iam::111122223333:user/dave", dave.Arn);
        Assert.True(dave.MfaActive);
        Assert.Null(dave.PasswordEnabled);
        Assert.False(dave.AccessKey1.HasKey);
        Assert.True(dave.AccessKey2.Active);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), dave.AccessKey2.LastRotated);
    }

    [Fact]
    public void ParseBase64_DecodesUtf8WithOrWithoutBom()
    {
        byte[] utf8 = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Header + "\nzoë,arn:aws:iam::111122223333:user/zoë,N/A,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")];

        var report = CredentialReportParser.ParseBase64(Convert.ToBase64String(utf8), Generated);

        Assert.True(report.Rows.ContainsKey("zoë"));
        Assert.Null(report.Rows["zoë"].UserCreationTime);
    }

    [Theory]
    [InlineData("arn,password_enabled\narn:aws:iam::1:user/x,true\n")]
    [InlineData("")]
    [InlineData("\"user,arn\nx,y\n")]
    public void Parse_MalformedReports_ThrowFormatException(string csv) =>
        Assert.Throws<FormatException>(() => CredentialReportParser.ParseCsv(csv, Generated));

    [Fact]
    public void ParseBase64_ShouldLeaveOutOnlyTheLineWithABadByte_AndKeepTheRootAndEveryOtherUser()
    {
        // Arrange: one byte that is never UTF-8 in alice's line
        var csv = Encoding.UTF8.GetBytes(SampleCsv).ToList();
        csv.Insert(SampleCsv.IndexOf("alice,", StringComparison.Ordinal) + "alice,arn".Length, 0xFF);

        // Act
        var report = CredentialReportParser.ParseBase64(Convert.ToBase64String([.. csv]), Generated);

        // Assert
        Assert.Equal(["<root_account>", "bob", "carol,the,admin"], report.Rows.Keys.Order(StringComparer.Ordinal));
        Assert.NotNull(report.RootAccount);
        var line = Assert.Single(report.UnreadableRows);
        Assert.Equal(new UnreadableReportRow(3, "it is not UTF-8 (byte 10 of the line cannot be decoded)", "alice"), line);
    }

    [Fact]
    public void ParseBase64_ShouldReportTheRootLine_WhenItIsTheOneThatCannotBeRead()
    {
        var csv = Encoding.UTF8.GetBytes(SampleCsv).ToList();
        csv.Insert(SampleCsv.IndexOf("<root_account>", StringComparison.Ordinal) + 3, 0xC3); // a lead byte with no continuation

        var report = CredentialReportParser.ParseBase64(Convert.ToBase64String([.. csv]), Generated);

        Assert.Null(report.RootAccount);
        Assert.Equal(["alice", "bob", "carol,the,admin"], report.Rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, Assert.Single(report.UnreadableRows).Line);
    }

    [Theory]
    [InlineData("dave,arn:aws:iam::111122223333:user/dave,the day before yesterday,false", "its user_creation_time is not a date")]
    [InlineData(",arn:aws:iam::111122223333:user/nobody,N/A,false", "it has no user")]
    [InlineData("\"dave,arn:aws:iam::111122223333:user/dave,N/A,false", "it ends inside a quoted field")]
    public void ParseCsv_ShouldLeaveOutALineThatCannotBeRead_WithWhy(string line, string problem)
    {
        // Arrange: the bad line between two good ones
        const string Good = "erin,arn:aws:iam::111122223333:user/erin,N/A,true";
        var csv = $"user,arn,user_creation_time,mfa_active\n{Good}\n{line}\n{Good.Replace("erin", "fred", StringComparison.Ordinal)}\n";

        // Act
        var report = CredentialReportParser.ParseCsv(csv, Generated);

        // Assert
        Assert.Equal(["erin", "fred"], report.Rows.Keys.Order(StringComparer.Ordinal));
        var unreadable = Assert.Single(report.UnreadableRows);
        Assert.Equal((3, problem), (unreadable.Line, unreadable.Problem));
        Assert.True(report.Rows["fred"].MfaActive);
    }

    [Fact]
    public void ParseCsv_ShouldTrustNeitherLine_WhenAUserIsListedTwice()
    {
        const string csv = "user,arn,mfa_active\nerin,arn:aws:iam::1:user/erin,true\nerin,arn:aws:iam::1:user/erin,false\nfred,arn:aws:iam::1:user/fred,true\n";

        var report = CredentialReportParser.ParseCsv(csv, Generated);

        Assert.Equal(["fred"], report.Rows.Keys);
        Assert.Equal([(2, "erin"), (3, "erin")], report.UnreadableRows.Select(r => (r.Line, r.LikelyUser!)));
        Assert.All(report.UnreadableRows, r => Assert.Equal("its user is listed on more than one line", r.Problem));
    }

    [Fact]
    public void ParseCsv_ShouldCountLinesInsideQuotedFields_WhenNamingAnUnreadableLine()
    {
        const string csv = "user,arn,mfa_active\r\n\"erin\r\nsmith\",arn:aws:iam::1:user/erin,true\r\nfred,arn:aws:iam::1:user/fred,maybe,x\r\ngus,arn,yes-no,\"\r\n";

        var report = CredentialReportParser.ParseCsv(csv, Generated);

        Assert.Equal(["erin\r\nsmith", "fred"], report.Rows.Keys.Order(StringComparer.Ordinal));
        var unreadable = Assert.Single(report.UnreadableRows);
        Assert.Equal((5, "it ends inside a quoted field", "gus"), (unreadable.Line, unreadable.Problem, unreadable.LikelyUser));
    }

    [Fact]
    public void ToString_SummarisesWithoutDumpingRows()
    {
        var report = CredentialReportParser.ParseCsv(SampleCsv, Generated);

        Assert.Equal("CredentialReport { GeneratedTime = 2026-09-15T11:58:02.0000000+00:00, Rows = 4 }", report.ToString());
    }
}
