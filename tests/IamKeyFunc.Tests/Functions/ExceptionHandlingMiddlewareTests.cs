using System.Collections.Immutable;
using IamKeyFunc.Testing.Azure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc.Tests.Functions;

/// <summary>
/// The non-HTTP half of the middleware (the HTTP half sets the invocation result through the worker's internal
/// bindings feature, so it is exercised only by the real pipeline): timer failures must reach the host, which applies
/// the retry policy, and shutdown cancellation is not an error.
/// </summary>
public sealed class ExceptionHandlingMiddlewareTests : IDisposable
{
    private readonly LogCapture _logs = new();
    private readonly ExceptionHandlingMiddleware _middleware;

    public ExceptionHandlingMiddlewareTests() =>
        _middleware = new ExceptionHandlingMiddleware(new LoggerFactory([_logs]).CreateLogger<ExceptionHandlingMiddleware>());

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Invoke_ShouldLogAndRethrow_WhenATimerInvocationFails()
    {
        var context = new TestFunctionContext("timerTrigger", CancellationToken.None);
        var failure = new InvalidOperationException("Run 20260915T060000Z-1a2b3c4d failed");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _middleware.Invoke(context, _ => throw failure));

        Assert.Same(failure, thrown);
        var entry = Assert.Single(_logs.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("DailyReport invocation invocation-1 failed: InvalidOperationException", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ShouldPassShutdownCancellationThroughWithoutLoggingAnError()
    {
        using var shutdown = new CancellationTokenSource();
        await shutdown.CancelAsync();
        var context = new TestFunctionContext("timerTrigger", shutdown.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _middleware.Invoke(context, c => Task.FromCanceled(c.CancellationToken)));

        Assert.Empty(_logs.Entries);
    }

    [Fact]
    public async Task Invoke_ShouldDoNothing_WhenTheInvocationSucceeds()
    {
        var invoked = false;

        await _middleware.Invoke(new TestFunctionContext("httpTrigger", CancellationToken.None), _ =>
        {
            invoked = true;
            return Task.CompletedTask;
        });

        Assert.True(invoked);
        Assert.Empty(_logs.Entries);
    }

    [Theory]
    [InlineData("httpTrigger", true)]
    [InlineData("HttpTrigger", true)]
    [InlineData("timerTrigger", false)]
    public void IsHttpTriggered_ShouldLookAtTheTriggerBinding(string bindingType, bool expected)
    {
        Assert.Equal(expected, ExceptionHandlingMiddleware.IsHttpTriggered(new TestFunctionContext(bindingType, CancellationToken.None)));
    }

    private sealed class TestFunctionContext(string triggerType, CancellationToken cancellationToken) : FunctionContext
    {
        public override string InvocationId => "invocation-1";

        public override string FunctionId => "function-1";

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext => throw new NotSupportedException();

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = null!;

        public override FunctionDefinition FunctionDefinition { get; } = new TestFunctionDefinition(triggerType);

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override IInvocationFeatures Features => throw new NotSupportedException();

        public override CancellationToken CancellationToken => cancellationToken;
    }

    private sealed class TestFunctionDefinition(string triggerType) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => "IamKeyFunc.dll";

        public override string EntryPoint => "IamKeyFunc.Functions.DailyReport.Run";

        public override string Id => "function-1";

        public override string Name => "DailyReport";

        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
            ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", new TestBinding(triggerType));

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class TestBinding(string type) : BindingMetadata
    {
        public override string Name => "trigger";

        public override string Type => type;

        public override BindingDirection Direction => BindingDirection.In;
    }
}
