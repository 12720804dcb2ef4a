using IamKeyFunc.Reporting;
using IamKeyFunc.Reporting.Configuration;
using IamKeyFunc.Reporting.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IamKeyFunc;

internal static class Program
{
    private static void Main(string[] args) => CreateBuilder(args).Build().Run();

    /// <summary>The whole composition root; tests build the same host from it (without starting the worker).</summary>
    internal static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);

        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<ExceptionHandlingMiddleware>();

        builder.Services
            .AddApplicationInsightsTelemetryWorkerService()
            .ConfigureFunctionsApplicationInsights();
        builder.Logging.KeepInformationLogsInApplicationInsights();
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning); // four lines per AWS or Azure call at Information

        if (builder.Environment.IsDevelopment())
        {
            // func start against the loopback AWS emulator without any Azure identity (IamKey:Identity:DevelopmentToken).
            builder.Services.AddDevelopmentTokenCredential(builder.Configuration);
        }
        else
        {
            builder.Services.AddSingleton<IValidateOptions<IdentityOptions>>(new DevelopmentTokenNotAllowed(builder.Environment.EnvironmentName));
        }

        builder.Services.AddIamKeyReporting(builder.Configuration);
        builder.Services.AddTimerSchedule(builder.Configuration);

        return builder;
    }

    private static IServiceCollection AddTimerSchedule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        services.AddOptions<ScheduleOptions>().Bind(configuration).ValidateOnStart();
        return services;
    }

    /// <summary>
    /// The Application Insights logger provider adds a default filter that drops everything below Warning;
    /// remove it so the per-run and per-account Information lines reach the workspace (host.json levels still apply).
    /// </summary>
    private static void KeepInformationLogsInApplicationInsights(this ILoggingBuilder logging) =>
        logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var defaultRule = options.Rules.FirstOrDefault(rule =>
                rule.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (defaultRule is not null)
            {
                options.Rules.Remove(defaultRule);
            }
        });
}
