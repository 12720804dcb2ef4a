using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace IamKeyFunc.Benchmarks;

/// <summary>The machine the numbers were taken on, read at run time.</summary>
internal sealed record MachineInfo(int Cores, string? CpuModel, string? LastLevelCache, double MemoryGiB, string Os, string Runtime, string Gc, string? LoadAverage)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        ReadLastLevelCache(),
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0,
        RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture,
        RuntimeInformation.FrameworkDescription,
        (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent"),
        LoadAverageNow());

    /// <summary>The 1, 5 and 15 minute load averages (Linux), e.g. <c>3.10 2.85 2.40</c>.</summary>
    public static string? LoadAverageNow()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return null;
        }

        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 ? string.Join(' ', parts[..3]) : null;
    }

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Cores} cores{(CpuModel is null ? "" : $" ({CpuModel})")}{(LastLevelCache is null ? "" : $", last-level cache {LastLevelCache}")}, {MemoryGiB:0.0} GiB, {Os}, {Runtime}, {Gc} GC");

    /// <summary>
    /// The largest CPU cache (Linux sysfs), e.g. <c>32768K</c>: the GC sizes its generation-0 budget from it, which bounds
    /// how much garbage piles up between collections and so the peak heap.
    /// </summary>
    private static string? ReadLastLevelCache()
    {
        const string folder = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(folder))
        {
            return null;
        }

        return Directory.EnumerateDirectories(folder, "index*").Order(StringComparer.Ordinal)
            .Select(index => Path.Combine(index, "size"))
            .Where(File.Exists)
            .Select(path => File.ReadAllText(path).Trim())
            .LastOrDefault();
    }

    private static string? ReadCpuModel()
    {
        const string path = "/proc/cpuinfo";
        return File.Exists(path)
            ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
    }
}
