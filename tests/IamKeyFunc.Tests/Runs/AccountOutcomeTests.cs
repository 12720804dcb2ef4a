using IamKeyFunc.Reporting.Delivery;
using IamKeyFunc.Reporting.Records;
using IamKeyFunc.Reporting.Runs;

namespace IamKeyFunc.Tests.Runs;

/// <summary>What an account's summary row says after its key delivery, the recovery pass included.</summary>
public sealed class AccountOutcomeTests
{
    [Fact]
    public void WithKeyDelivery_ShouldStaySucceededWithTheRecoveredWarning_AfterTheCollectorsWarning_WhenTheRecoveryPassDeliveredTheRest()
    {
        var outcome = Outcome(errorCode: AccountPass.StaleReportCode, errorMessage: "The credential report was 6 hours old when read.");
        var keys = new DeliveryResult(7, 7, 0, 2, 0, 5000, 5, null) { Recovered = 3, RecoveredBatches = 1 };

        var summary = outcome.WithKeyDelivery(keys).Summary;

        Assert.Equal(("Succeeded", $"{AccountPass.StaleReportCode},{AccountPass.KeysRecoveredCode}"), (summary.Status, summary.ErrorCode));
        Assert.Equal("The credential report was 6 hours old when read. 3 of the account's 7 key records failed their first send and were delivered by the run's recovery pass.", summary.ErrorMessage);
    }

    [Fact]
    public void WithKeyDelivery_ShouldFailTheAccountNamingWhatIsStillMissing_WhenTheRecoveryPassDeliveredOnlyPart()
    {
        var keys = new DeliveryResult(7, 5, 2, 2, 1, 5000, 9, "Data Collector batch 1/1 failed after 4 attempt(s): 503 ServiceUnavailable.") { Recovered = 3 };

        var summary = Outcome().WithKeyDelivery(keys).Summary;

        Assert.Equal(("Failed", AccountPass.KeysNotDeliveredCode), (summary.Status, summary.ErrorCode));
        Assert.Equal("2 of the account's 7 key records were not delivered (3 more were delivered by the recovery pass): Data Collector batch 1/1 failed after 4 attempt(s): 503 ServiceUnavailable.", summary.ErrorMessage);
    }

    [Fact]
    public void WithKeyDelivery_ShouldLeaveTheRowAsItIs_WhenEveryRecordArrivedWithTheFirstSend()
    {
        var outcome = Outcome();

        Assert.Same(outcome, outcome.WithKeyDelivery(new DeliveryResult(7, 7, 0, 1, 0, 5000, 0, null)));
    }

    private static AccountOutcome Outcome(string? errorCode = null, string? errorMessage = null) => new(
        new RunSummary
        {
            RunId = "20260914T120000Z-1a2b3c4d",
            Trigger = "timer",
            CollectedAt = new DateTimeOffset(2026, 9, 14, 12, 0, 0, TimeSpan.Zero),
            Partition = "aws",
            AccountId = "111122223333",
            RoleArn = "arn:aws:iam::111122223333:role/IamKeyFuncReader",
            Mode = "live",
            Status = "Succeeded",
            ErrorCode = errorCode,
            ErrorMessage = errorMessage,
            UsersScanned = 5,
            KeysReported = 7,
            FindingsCount = 1,
            ApiCalls = 20,
            ThrottledRetries = 0,
            DurationMs = 100,
            CollectorVersion = "test",
        },
        [],
        null,
        new HashSet<int>());
}
