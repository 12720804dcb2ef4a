namespace IamKeyFunc.AwsEmulator.Protocol;

/// <summary>A token bucket on the emulator's clock; restarts full whenever the configured limit changes.</summary>
internal sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private EmulatorRateLimit? _limit;
    private double _tokens;
    private long _last;

    public bool TryTake(EmulatorRateLimit limit, TimeProvider time)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (!Equals(limit, _limit))
            {
                _limit = limit;
                _tokens = limit.Burst;
            }
            else
            {
                _tokens = Math.Min(limit.Burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * limit.CallsPerSecond));
            }

            _last = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
