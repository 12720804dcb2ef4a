namespace IamKeyFunc.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) => IamKeysCommand.Create().Parse(args).InvokeAsync();
}
