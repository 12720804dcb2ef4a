namespace IamKeyFunc.Testing.Azure;

/// <summary>A request as a fake saw it, and the status it answered.</summary>
public sealed record RecordedRequest(
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    int BodyLength,
    int Status,
    string? ErrorCode)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
