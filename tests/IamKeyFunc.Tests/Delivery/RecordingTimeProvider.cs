using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace IamKeyFunc.Tests.Delivery;

/// <summary>A <see cref="FakeTimeProvider"/> that remembers the due time of every timer (every <c>Task.Delay</c>), so a test can see the wait a client chose without waiting it out.</summary>
internal sealed class RecordingTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 9, 14, 12, 0, 0, TimeSpan.Zero))
{
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

    public IReadOnlyList<TimeSpan> DueTimes => [.. _dueTimes];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _dueTimes.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits (in real time, bounded) until a timer with this due time has been created.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!_dueTimes.Contains(dueTime))
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
