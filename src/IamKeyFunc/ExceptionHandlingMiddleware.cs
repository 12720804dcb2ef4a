using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace IamKeyFunc;

/// <summary>
/// The one place that handles unexpected failures, so the functions stay free of try/catch. HTTP invocations get a
/// 500 with the invocation ID (never the exception text, which may quote a service response); other invocations
/// rethrow so the host records the failure and the trigger's retry policy applies. Cancellation during host
/// shutdown is passed through unlogged.
/// </summary>
internal sealed class ExceptionHandlingMiddleware(ILogger<ExceptionHandlingMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Function {FunctionName} invocation {InvocationId} failed: {ExceptionType}",
                context.FunctionDefinition.Name, context.InvocationId, exception.GetType().Name);

            if (!IsHttpTriggered(context))
            {
                throw;
            }

            context.GetInvocationResult().Value = new ObjectResult(new ErrorResponse(
                $"The request failed. Look up invocation {context.InvocationId} in Application Insights.",
                context.InvocationId))
            {
                StatusCode = StatusCodes.Status500InternalServerError,
            };
        }
    }

    internal static bool IsHttpTriggered(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(binding =>
            string.Equals(binding.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));

    internal sealed record ErrorResponse(string Error, string InvocationId);
}
