using System.Globalization;
using System.Text;
using IamKeyFunc.AwsEmulator.Iam;
using IamKeyFunc.AwsEmulator.Protocol;
using IamKeyFunc.AwsEmulator.State;
using IamKeyFunc.AwsEmulator.Sts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.AwsEmulator.Hosting;

/// <summary>
/// The single HTTP entry point: parses the Query-protocol call (form body of <c>POST /</c>, or the query string),
/// dispatches by <c>Action</c>, and applies latency, authentication, the rate limiter and injected faults in that order.
/// A request with an <c>X-Amz-Target</c> header is a JSON 1.1 call and goes to <see cref="JsonDispatcher"/>.
/// </summary>
internal sealed partial class QueryDispatcher
{
    private const int MaxBodyBytes = 1 << 20;
    private readonly EmulatorState _state;
    private readonly RequestAuthenticator _authenticator;
    private readonly Dictionary<string, Operation> _operations;
    private readonly JsonDispatcher _json;

    public QueryDispatcher(EmulatorState state)
    {
        _state = state;
        _authenticator = new RequestAuthenticator(state);
        _json = new JsonDispatcher(state, _authenticator);
        var sts = new StsOperations(state);
        var iam = new IamOperations(state);
        var authorization = new AuthorizationOperations(state);
        _operations = new Dictionary<string, Operation>(StringComparer.Ordinal)
        {
            ["AssumeRoleWithWebIdentity"] = new(AwsService.Sts, Signed: false, r => sts.AssumeRoleWithWebIdentity(r), null),
            ["AssumeRole"] = new(AwsService.Sts, Signed: true, r => sts.AssumeRole(r), null),
            ["ListUsers"] = new(AwsService.Iam, Signed: true, null, iam.ListUsers),
            ["ListAccessKeys"] = new(AwsService.Iam, Signed: true, null, iam.ListAccessKeys),
            ["GetAccessKeyLastUsed"] = new(AwsService.Iam, Signed: true, null, iam.GetAccessKeyLastUsed),
            ["GenerateCredentialReport"] = new(AwsService.Iam, Signed: true, null, iam.GenerateCredentialReport),
            ["GetCredentialReport"] = new(AwsService.Iam, Signed: true, null, iam.GetCredentialReport),
            ["ListAccountAliases"] = new(AwsService.Iam, Signed: true, null, iam.ListAccountAliases),
            ["GetAccountAuthorizationDetails"] = new(AwsService.Iam, Signed: true, null, authorization.GetAccountAuthorizationDetails),
            ["GetAccountSummary"] = new(AwsService.Iam, Signed: true, null, authorization.GetAccountSummary),
            ["ListUserTags"] = new(AwsService.Iam, Signed: true, null, authorization.ListUserTags),
        };
    }

    public async Task HandleAsync(HttpContext context)
    {
        var stats = _state.Stats;
        stats.Enter();
        try
        {
            var call = new CallInfo();
            var response = await ProcessAsync(context, call).ConfigureAwait(false);
            if (_state.Options.Logger is { } logger)
            {
                LogAnswer(logger, call.Action, call.AccountId ?? "-", response.Abort ? "aborted" : response.StatusCode.ToString(CultureInfo.InvariantCulture), response.ErrorCode ?? "");
            }

            if (response.Abort)
            {
                context.Abort();
                return;
            }

            await WriteAsync(context, response).ConfigureAwait(false);
        }
        finally
        {
            stats.Exit();
        }
    }

    private async Task<QueryResponse> ProcessAsync(HttpContext context, CallInfo call)
    {
        var http = context.Request;
        var requestId = Guid.NewGuid().ToString();
        var body = await ReadBodyAsync(http, context.RequestAborted).ConfigureAwait(false);
        if (http.Headers.ContainsKey(JsonDispatcher.TargetHeader))
        {
            return await _json.ProcessAsync(context, body, call).ConfigureAwait(false);
        }

        var parameters = ParseParameters(http, body);
        var action = parameters.GetValueOrDefault("Action");
        call.Action = action ?? "";
        var now = _state.Time.GetUtcNow();
        if (string.IsNullOrEmpty(action) || !_operations.TryGetValue(action, out var operation))
        {
            var unknown = new QueryRequest(AwsService.Iam, action ?? "", parameters, requestId, now);
            return string.IsNullOrEmpty(action)
                ? unknown.Error(400, "MissingAction", "Missing Action")
                : unknown.Error(400, "InvalidAction", $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version") ?? "NO_VERSION_SPECIFIED"}");
        }

        _state.Stats.Received(action);
        var latency = _state.Options.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, _state.Time, context.RequestAborted).ConfigureAwait(false);
            now = _state.Time.GetUtcNow();
        }

        var request = new QueryRequest(operation.Service, action, parameters, requestId, now);
        if (parameters.GetValueOrDefault("Version") is { } version && version != operation.Service.Version)
        {
            return request.Error(400, "InvalidAction", $"Could not find operation {action} for version {version}");
        }

        if (operation.Signed && !_authenticator.TryAuthenticate(http, body, request, out var authError))
        {
            _state.Stats.RejectedSignature();
            return authError!;
        }

        var accountId = operation.Service == AwsService.Iam ? request.Session!.AccountId : EmulatorState.AccountOf(request.Get("RoleArn"));
        call.AccountId = accountId;
        if (accountId is not null)
        {
            _state.Stats.ForAccount(accountId, action);
        }

        AccountState? account = null;
        if (operation.Service == AwsService.Iam)
        {
            account = _state.FindAccount(request.Session!.AccountId)!;
            if (_state.Options.RateLimit is { } limit && !account.RateLimiter.TryTake(limit, _state.Time))
            {
                _state.Stats.Throttled();
                return request.Error(400, "Throttling", "Rate exceeded");
            }
        }

        if (_state.Options.Faults.Next(action, accountId) is { } fault)
        {
            _state.Stats.Fault();
            return fault.Abort ? QueryResponse.Aborted : request.Error(fault.StatusCode, fault.Code, fault.Message);
        }

        return account is null ? operation.Sts!(request) : operation.Iam!(request, account);
    }

    private async Task WriteAsync(HttpContext context, QueryResponse response)
    {
        if (response.ErrorCode is { } code)
        {
            _state.Stats.Error(code);
        }

        var bytes = Encoding.UTF8.GetBytes(response.Body);
        var http = context.Response;
        http.StatusCode = response.StatusCode;
        http.ContentType = response.ContentType;
        http.ContentLength = bytes.Length;
        http.Headers["x-amzn-RequestId"] = response.RequestId;
        http.Headers.Date = _state.Time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        await http.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        if (http.ContentLength == 0)
        {
            return [];
        }

        using var buffer = new MemoryStream(http.ContentLength is { } length and < MaxBodyBytes ? (int)length : 4096);
        await http.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Form-encoded body parameters first, then query-string parameters not already given.</summary>
    private static Dictionary<string, string> ParseParameters(HttpRequest http, byte[] body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body.Length > 0)
        {
            foreach (var (name, values) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)))
            {
                parameters[name] = values.ToString();
            }
        }

        foreach (var (name, values) in http.Query)
        {
            parameters.TryAdd(name, values.ToString());
        }

        return parameters;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "AWS emulator {Action} account {AccountId}: {Status} {ErrorCode}")]
    private static partial void LogAnswer(ILogger logger, string action, string accountId, string status, string errorCode);

    internal sealed class CallInfo
    {
        public string Action { get; set; } = "";

        public string? AccountId { get; set; }
    }

    private sealed record Operation(
        AwsService Service,
        bool Signed,
        Func<QueryRequest, QueryResponse>? Sts,
        Func<QueryRequest, AccountState, QueryResponse>? Iam);
}
