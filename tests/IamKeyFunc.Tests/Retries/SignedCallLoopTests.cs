using IamKeyFunc.Reporting.Retries;

namespace IamKeyFunc.Tests.Retries;

/// <summary>
/// The loop's own rules, with a call whose answers are scripted (the three real calls, AWS, Data Collector and Logs
/// Ingestion, are tested against their loopback servers in Aws/Pipeline and Delivery).
/// </summary>
public sealed class SignedCallLoopTests
{
    private static readonly RetrySchedule Schedule = new(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), BackoffJitter.RetryAfterOrProportional);

    [Fact]
    public async Task RunAsync_ShouldStopAfterMaxAttemptsOfTransientFailures_AndCountEveryRequest()
    {
        var call = new ScriptedCall(AttemptVerdict.Transient, AttemptVerdict.Transient, AttemptVerdict.Transient, AttemptVerdict.Accepted);

        var result = await SignedCallLoop.RunAsync(call, Schedule, TimeProvider.System, CancellationToken.None);

        Assert.Equal((AttemptVerdict.Transient, 3, 3), (result.Verdict, result.Sent, result.Attempts));
        Assert.Equal(["credential-1", "credential-1", "credential-1"], call.SignedWith);
        Assert.Equal([AttemptVerdict.Transient, AttemptVerdict.Transient], call.Retries.Select(r => r.Why));
    }

    [Fact]
    public async Task RunAsync_ShouldReauthorizeOnceForFree_AndEndOnASecondRejection()
    {
        var call = new ScriptedCall(AttemptVerdict.Transient, AttemptVerdict.Reauthorize, AttemptVerdict.Transient, AttemptVerdict.Reauthorize);

        var result = await SignedCallLoop.RunAsync(call, Schedule, TimeProvider.System, CancellationToken.None);

        // The re-authorization is not a counted attempt: 4 requests, 3 counted, the second rejection ends the call.
        Assert.Equal((AttemptVerdict.Reauthorize, 4, 3), (result.Verdict, result.Sent, result.Attempts));
        Assert.Equal(["credential-1", "credential-1", "credential-2", "credential-2"], call.SignedWith);
        Assert.Equal([true, true, false, false], call.Contexts.Select(c => c.CanReauthorize));
        Assert.Equal([1, 2, 2, 3], call.Contexts.Select(c => c.Attempt));
    }

    [Fact]
    public async Task RunAsync_ShouldCorrectOnceForFree_ThenAcceptTheAnswer()
    {
        var call = new ScriptedCall(AttemptVerdict.Correct, AttemptVerdict.Transient, AttemptVerdict.Accepted);

        var result = await SignedCallLoop.RunAsync(call, Schedule, TimeProvider.System, CancellationToken.None);

        Assert.Equal((AttemptVerdict.Accepted, 3, 2), (result.Verdict, result.Sent, result.Attempts));
        Assert.Equal([true, false, false], call.Contexts.Select(c => c.CanCorrect));
        Assert.Equal([AttemptVerdict.Correct, AttemptVerdict.Transient], call.Retries.Select(r => r.Why));
        Assert.Equal(TimeSpan.Zero, call.Retries[0].Delay);
    }

    [Fact]
    public async Task RunAsync_ShouldNotRetryAPermanentAnswer()
    {
        var call = new ScriptedCall(AttemptVerdict.Permanent, AttemptVerdict.Accepted);

        var result = await SignedCallLoop.RunAsync(call, Schedule, TimeProvider.System, CancellationToken.None);

        Assert.Equal((AttemptVerdict.Permanent, 1, 1), (result.Verdict, result.Sent, result.Attempts));
        Assert.Empty(call.Retries);
    }

    [Fact]
    public async Task RunAsync_ShouldWaitWhatTheServiceAsked_AndHoldTheTurnThroughTheWait()
    {
        var call = new ScriptedCall(AttemptVerdict.Transient, AttemptVerdict.Accepted) { RetryAfter = TimeSpan.FromMilliseconds(200) };
        var slow = new RetrySchedule(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5), BackoffJitter.RetryAfterOrProportional);

        var result = await SignedCallLoop.RunAsync(call, slow, TimeProvider.System, CancellationToken.None);

        Assert.True(result.Accepted);
        Assert.Equal(TimeSpan.FromMilliseconds(200), call.Retries.Single().Delay);
        Assert.True(call.TurnHeld[0] >= TimeSpan.FromMilliseconds(190), $"the first turn was held {call.TurnHeld[0]}");
    }

    /// <summary>Answers each attempt with the next verdict; each re-authorization hands out a new credential.</summary>
    private sealed class ScriptedCall(params AttemptVerdict[] verdicts) : SignedCall<string, int>
    {
        private int _next;
        private int _credential = 1;

        public TimeSpan? RetryAfter { get; init; }

        public List<string> SignedWith { get; } = [];

        public List<AttemptContext> Contexts { get; } = [];

        public List<(AttemptVerdict Why, TimeSpan Delay)> Retries { get; } = [];

        public List<TimeSpan> TurnHeld { get; } = [];

        public override ValueTask<IDisposable?> BeginAttemptAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(new Turn(TurnHeld));

        public override ValueTask<string> AuthorizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult($"credential-{_credential}");

        public override Task<AttemptOutcome<int>> SendAsync(string credential, AttemptContext context, CancellationToken cancellationToken)
        {
            SignedWith.Add(credential);
            Contexts.Add(context);
            var verdict = verdicts[_next++];
            return Task.FromResult(new AttemptOutcome<int>(verdict, _next, RetryAfter));
        }

        public override ValueTask ReauthorizeAsync(string rejected)
        {
            _credential++;
            return ValueTask.CompletedTask;
        }

        public override void OnRetry(AttemptVerdict why, int outcome, AttemptContext context, TimeSpan delay) => Retries.Add((why, delay));

        private sealed class Turn(List<TimeSpan> held) : IDisposable
        {
            private readonly long _started = TimeProvider.System.GetTimestamp();

            public void Dispose() => held.Add(TimeProvider.System.GetElapsedTime(_started));
        }
    }
}
