using System.Net;
using System.Text;
using System.Xml.Linq;
using CsCheck;
using IamKeyFunc.Reporting.Aws.Iam;

namespace IamKeyFunc.Tests.Aws.Iam;

/// <summary>
/// Random and mutated IAM answers through the real client: a well-formed answer parses to exactly the users and report
/// rows it holds; anything else either parses or fails with <see cref="IamException"/>, never with another exception.
/// </summary>
public sealed class IamParsingPropertyTests
{
    private const int Iterations = 300;
    private static readonly XNamespace Ns = IamWire.Namespace;
    private static readonly DateTimeOffset Generated = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly Gen<string> Name = Gen.Char["a-zA-Z0-9+=,.@_&<>\"'-"].Array[1, 24].Select(c => new string(c));

    private static readonly Gen<(string Name, DateTimeOffset Created)[]> Users =
        Gen.Select(Name, Gen.Long[0, 4_000_000_000L]).Array[0, 12]
            .Select(users => users.DistinctBy(u => u.Item1).Select(u => (u.Item1, DateTimeOffset.FromUnixTimeSeconds(u.Item2))).ToArray());

    private static readonly string[] Hostile = ["1e30", "-1", "NaN", "9999-99-99", "<x>", "&bogus;", "]]>", "\u0000", "<!DOCTYPE x [<!ENTITY a 'b'>]>"];

    /// <summary>Mutations a hostile or broken server could produce from a good body.</summary>
    private static readonly Gen<Func<string, string>> Mutation = Gen.OneOf(
        Gen.Int[0, 10_000].Select<int, Func<string, string>>(at => s => s[..(at % (s.Length + 1))]),
        Gen.Select(Gen.Int[0, 10_000], Gen.Char).Select<(int, char), Func<string, string>>(m => s => s.Insert(m.Item1 % (s.Length + 1), m.Item2.ToString())),
        Gen.Int[0, 10_000].Select<int, Func<string, string>>(at => s => s.Length == 0 ? s : s.Remove(at % s.Length, 1)),
        Gen.Select(Gen.Int[0, 10_000], Gen.Int[0, Hostile.Length - 1].Select(i => Hostile[i]))
            .Select<(int, string), Func<string, string>>(m => s => s.Insert(m.Item1 % (s.Length + 1), m.Item2)));

    [Fact]
    public void ListUsers_ParsesExactlyTheUsersOfAWellFormedAnswer() =>
        Users.Sample(users =>
        {
            var client = IamTestClients.Create(new StubIamHandler(_ => IamWire.Xml(HttpStatusCode.OK, ListUsersXml(users))));

            var page = client.ListUsersAsync().GetAwaiter().GetResult();

            Assert.Equal(users.Select(u => (u.Name, u.Created)), page.Items.Select(u => (u.UserName, u.CreateDate)));
            Assert.False(page.IsTruncated);
        }, iter: Iterations);

    [Fact]
    public void ListUsers_FailsOnlyWithIamException_OnMutatedAnswers() =>
        Gen.Select(Users, Mutation).Sample(input =>
        {
            var body = input.Item2(ListUsersXml(input.Item1));
            var client = IamTestClients.Create(new StubIamHandler(_ => IamWire.Xml(HttpStatusCode.OK, body)), options: IamTestClients.FastOptions(maxAttempts: 1));

            AssertOnlyIamException(() => client.ListUsersAsync().GetAwaiter().GetResult());
        }, iter: Iterations);

    [Fact]
    public void CredentialReport_ParsesExactlyTheRowsOfAWellFormedReport() =>
        Users.Sample(users =>
        {
            var client = IamTestClients.Create(new StubIamHandler(_ => ReportAnswer(ReportCsv(users))));

            var report = client.GetCredentialReportAsync().GetAwaiter().GetResult();

            Assert.Equal(users.Select(u => u.Name).Order(StringComparer.Ordinal), report.Rows.Keys.Order(StringComparer.Ordinal));
            Assert.All(users, u => Assert.Equal(u.Created, report.Rows[u.Name].UserCreationTime));
        }, iter: Iterations);

    [Fact]
    public void CredentialReport_FailsOnlyWithIamException_OnMutatedReports() =>
        Gen.Select(Users, Mutation, Gen.Byte.Array[0, 3]).Sample(input =>
        {
            var csv = Encoding.UTF8.GetBytes(input.Item2(ReportCsv(input.Item1))).Concat(input.Item3).ToArray();
            var client = IamTestClients.Create(new StubIamHandler(_ => ReportAnswer(csv)), options: IamTestClients.FastOptions(maxAttempts: 1));

            AssertOnlyIamException(() => client.GetCredentialReportAsync().GetAwaiter().GetResult());
        }, iter: Iterations);

    private static void AssertOnlyIamException(Action parse)
    {
        try
        {
            parse();
        }
        catch (IamException)
        {
        }
    }

    private static string ListUsersXml((string Name, DateTimeOffset Created)[] users) =>
        new XElement(Ns + "ListUsersResponse",
            new XElement(Ns + "ListUsersResult",
                new XElement(Ns + "Users", users.Select(u => new XElement(Ns + "member",
                    new XElement(Ns + "Path", "/"),
                    new XElement(Ns + "UserName", u.Name),
                    new XElement(Ns + "UserId", "AIDA" + u.Name.Length),
                    new XElement(Ns + "Arn", $"arn:aws:iam::111122223333:user/{u.Name}"),
                    new XElement(Ns + "CreateDate", u.Created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))))),
                new XElement(Ns + "IsTruncated", "false")),
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", "req"))).ToString();

    private static string ReportCsv((string Name, DateTimeOffset Created)[] users)
    {
        static string Quote(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
        var lines = users.Select(u => $"{Quote(u.Name)},{Quote($"arn:aws:iam::111122223333:user/{u.Name}")},{u.Created:yyyy-MM-dd'T'HH:mm:ss}+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A");
        return "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service\n"
            + string.Join('\n', lines);
    }

    private static HttpResponseMessage ReportAnswer(string csv) => ReportAnswer(Encoding.UTF8.GetBytes(csv));

    private static HttpResponseMessage ReportAnswer(byte[] csv) => IamWire.Ok(
        "GetCredentialReport",
        $"<Content>{Convert.ToBase64String(csv)}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>{Generated:yyyy-MM-dd'T'HH:mm:ss'Z'}</GeneratedTime>");
}
